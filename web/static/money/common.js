// Shared by the host view and the money/guest pages: sign-in, the staff session, the
// live commission socket, periods and small formatting helpers. Builds on the console's
// HTTP client (CSRF, problem+json) and DOM helpers so every staff screen behaves alike.

import { account, call, setCsrf, signedOutAtLoad, staffMessage, whenSignedOut } from "../console/http.js";
import { money as baseMoney } from "../api.js";
import { $, el, toast } from "../console/ui.js";
import { LiveSocket } from "../live.js";
import { LOCALE, t } from "../i18n.js";

export { call, el, toast, $, staffMessage };

const digitsOf = new Map();
/** Money in minor units: whole amounts without decimals, anything else with all of them
 * (commission is often £22.50; the guest page's formatter would print "£22.5"). */
export function money(minor, currency, opts = {}) {
  if (!digitsOf.has(currency)) {
    digitsOf.set(currency, new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits);
  }
  const digits = digitsOf.get(currency);
  if (opts.compact || digits === 0 || minor % 10 ** digits === 0) return baseMoney(minor, currency, opts);
  return new Intl.NumberFormat(LOCALE, { style: "currency", currency, minimumFractionDigits: digits, maximumFractionDigits: digits }).format(minor / 10 ** digits);
}

/** "2026-11-21" for `now` in the venue's timezone; before 06:00 it is still last night. */
export function businessDay(timezone, now = new Date()) {
  const shifted = new Date(now.getTime() - 6 * 3600 * 1000);
  try {
    return new Intl.DateTimeFormat("en-CA", { timeZone: timezone || "UTC", year: "numeric", month: "2-digit", day: "2-digit" }).format(shifted);
  } catch {
    return shifted.toISOString().slice(0, 10);
  }
}

export function addDays(isoDate, n) {
  const [y, m, d] = isoDate.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

const monthStart = (iso) => `${iso.slice(0, 8)}01`;
function monthEnd(iso) {
  const [y, m] = iso.split("-").map(Number);
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}
function weekStart(iso) {
  const [y, m, d] = iso.split("-").map(Number);
  const wd = (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7; // Monday = 0
  return addDays(iso, -wd);
}

/** Named periods of days; `to` is inclusive. The commission API filters its lines by the
 * day each was posted (`by=posted`: a booking the day it is made, its settlement the
 * night it closes), as the live feed shows them. */
export const PERIODS = [
  { key: "tonight", label: t("Today"), range: (tb) => [tb, tb] },
  { key: "week", label: t("This week"), range: (tb) => [weekStart(tb), addDays(weekStart(tb), 6)] },
  { key: "month", label: t("This month"), range: (tb) => [monthStart(tb), monthEnd(tb)] },
  { key: "last-month", label: t("Last month"), range: (tb) => { const p = addDays(monthStart(tb), -1); return [monthStart(p), p]; } },
  { key: "30", label: t("Last 30 days"), range: (tb) => [addDays(tb, -29), tb] },
  { key: "all", label: t("All time"), range: () => [null, null] },
];

export const query = (params) => {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") s.append(k, v);
  const text = s.toString();
  return text ? `?${text}` : "";
};

export const KIND_NAMES = {
  accrual: t("Accrued"),
  reversal: t("Reversed"),
  settlement: t("Settled"),
  spend_adjustment: t("Spend adjustment"),
  refund_adjustment: t("Refund adjustment"),
  reassign_in: t("Reassigned in"),
  reassign_out: t("Reassigned out"),
};
export const kindName = (k) => KIND_NAMES[k] || k;
export const kindPill = (k) => el("span", { class: `kind-pill k-${k}`, text: kindName(k) });

export const BASIS_NAMES = {
  minimum_pct: t("% of minimum"),
  spend_pct: t("% of spend"),
  flat_reservation: t("flat per booking"),
  flat_guest: t("flat per guest"),
};

/** "10% of minimum £900" / "flat per booking" for a line's rule. */
export function ruleText(line) {
  const r = line.rule || {};
  const pct = r.basis?.endsWith("_pct") ? `${(r.value / 100).toLocaleString(LOCALE, { maximumFractionDigits: 2 })}% ` : "";
  if (line.kind === "accrual" && r.basis === "spend_pct") {
    // Spend is only known at closing: the accrual estimates it from the minimum.
    return `${pct}${t("of spend, est. on min {amount}", { amount: money(line.basis_amount || 0, line.currency) })}`;
  }
  const base = r.basis?.endsWith("_pct") ? `${BASIS_NAMES[r.basis].replace("% ", "")} ${money(line.basis_amount || 0, line.currency)}` : BASIS_NAMES[r.basis] || "";
  return `${pct}${base}`.trim();
}

export function signedMoney(minor, currency) {
  const text = money(Math.abs(minor), currency);
  return minor < 0 ? `−${text}` : minor > 0 ? `+${text}` : text;
}

export function clock(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "" : new Intl.DateTimeFormat(LOCALE, { hour: "2-digit", minute: "2-digit" }).format(d);
}

export function setLive(box, state) {
  if (!box) return;
  box.dataset.state = state;
  box.querySelector(".live-text").textContent =
    { live: t("Live"), connecting: t("Connecting…"), syncing: t("Syncing…"), reconnecting: t("Reconnecting…"), gone: t("Offline"), idle: "" }[state] ?? state;
}

/**
 * Restore the session or show the sign-in form; resolves with `GET /staff/me` once signed
 * in. `roles` limits who may use the page: anyone else sees `denied(me)`.
 */
export function signIn({ onReady }) {
  whenSignedOut(() => location.reload());
  const form = $("signin");
  const start = (me) => {
    setCsrf(me.csrf_token);
    if (form) form.hidden = true;
    onReady(me);
  };
  const showForm = () => {
    form.hidden = false;
    $("signin-email").focus();
  };
  if (signedOutAtLoad()) showForm();
  else {
    account.me().then(start, (p) => {
      if (p.status !== 401) toast(staffMessage(p));
      showForm();
    });
  }
  $("signin-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const email = $("signin-email").value.trim();
    const password = $("signin-password").value;
    const err = $("signin-error");
    if (!email || !password) {
      err.textContent = t("Enter your email and password.");
      err.hidden = false;
      return;
    }
    const btn = $("signin-submit");
    btn.disabled = true;
    err.hidden = true;
    const venueField = $("signin-venue-field");
    const venue = venueField.hidden ? "" : $("signin-venue").value.trim();
    try {
      await account.login(email, password, venue);
      start(await account.me());
    } catch (p) {
      err.hidden = false;
      if (p.code === "venue_required") {
        err.textContent = t("This email works at several venues. Which one?");
        venueField.hidden = false;
        $("signin-venue").focus();
        return;
      }
      err.textContent = p.code === "login_failed" ? t("Wrong email or password.") : staffMessage(p);
      $("signin-password").select();
    } finally {
      btn.disabled = false;
    }
  });
}

export async function signOut(to) {
  try {
    await account.logout();
  } catch {
    // Signed out already (or offline): either way, leave.
  }
  location.replace(to);
}

/** The staff top bar: name, role, role-filtered links, venue switcher. */
export function staffTop(me, page, onVenue) {
  $("m-top").hidden = false;
  $("user-name").textContent = me.name;
  $("user-role").textContent = me.role;
  document.querySelectorAll(".m-nav a").forEach((a) => {
    const roles = a.dataset.roles;
    a.hidden = !!roles && !roles.split(" ").includes(me.role);
    if (a.dataset.page === page) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  });
  const KEY = "maitre.console.venue";
  const saved = localStorage.getItem(KEY);
  const venue = me.venues.find((v) => v.slug === saved) || me.venues[0];
  const select = $("venue-select");
  const show = (v) => {
    $("venue-name").textContent = v.name;
    localStorage.setItem(KEY, v.slug);
    onVenue(v);
  };
  if (me.venues.length > 1) {
    select.replaceChildren(...me.venues.map((v) => new Option(v.name, v.slug, false, v.slug === venue.slug)));
    select.hidden = false;
    $("venue-name").hidden = true;
    select.addEventListener("change", () => show(me.venues.find((v) => v.slug === select.value)));
  }
  $("logout").addEventListener("click", () => signOut(location.pathname));
  if (venue) show(venue);
}

/**
 * The live commission feed (`/ws/staff/commissions`) on the hub's protocol (live.js): the
 * server picks what this user may see (a host: only their own lines). Every snapshot (the
 * first, and each one after a gap or a reconnect) means "lines may have landed that you
 * have not seen": `onResync` refetches the page's own view. Deltas carry new lines.
 */
export class CommissionSocket extends LiveSocket {
  constructor({ onEntries, onResync, onStatus }) {
    super("/ws/staff/commissions", {
      onSnapshot: () => onResync?.(),
      onDelta: (m) => m.type === "entries" && onEntries?.(m.entries || [], m.at),
      onStatus,
    }, [4401, 4403]);
  }
}
