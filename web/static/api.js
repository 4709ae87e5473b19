// Talking to the public JSON API, and formatting what it returns.
// Errors come back as application/problem+json with a stable `code`; callers branch on
// `code`, never on the `detail` (which the server words in the page's language).

import { LANG, LOCALE, TIME_ZONE, t } from "./i18n.js";

export class Problem extends Error {
  constructor(status, body) {
    super(body.detail || t("Request failed ({status})", { status }));
    this.status = status;
    this.code = body.code || (status === 0 ? "network" : `http_${status}`);
    this.errors = Array.isArray(body.errors) ? body.errors : [];
  }
}

// The server's clock, learnt from the Date header, so hold countdowns are right even
// when the phone's clock is not (expires_at is the server's time).
let skewMs = 0;
export const serverNow = () => Date.now() + skewMs;

export async function request(method, url, body) {
  let res;
  try {
    res = await fetch(url, {
      method,
      // The page's language: holds keep it for the guest's mail, problems come back in it.
      headers: body
        ? { "Content-Type": "application/json", Accept: "application/json", "Accept-Language": LANG }
        : { Accept: "application/json", "Accept-Language": LANG },
      body: body ? JSON.stringify(body) : undefined,
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch {
    throw new Problem(0, { code: "network", detail: t("No connection. Check your signal and try again.") });
  }
  const date = Date.parse(res.headers.get("Date") || "");
  if (!Number.isNaN(date)) skewMs = date - Date.now();
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Problem(res.status, data);
  return data;
}

export function api(slug) {
  const base = `/api/v1/venues/${encodeURIComponent(slug)}`;
  return {
    venue: () => request("GET", base),
    nights: (days = 28) => request("GET", `${base}/nights?days=${days}`),
    hold: (body) => request("POST", `${base}/holds`, body),
    complete: (id, body) => request("POST", `${base}/holds/${id}/complete`, body),
    release: (id, token) => request("POST", `${base}/holds/${id}/release`, { token }),
    reservation: (token) => request("GET", `${base}/reservations/${encodeURIComponent(token)}`),
    cancel: (token) => request("POST", `${base}/reservations/${encodeURIComponent(token)}/cancel`, {}),
    quote: (date, tableId, sittingId) =>
      request("GET", `${base}/nights/${date}/tables/${tableId}/quote${sittingId ? `?sitting=${sittingId}` : ""}`),
    checkout: (token) => request("POST", `${base}/reservations/${encodeURIComponent(token)}/checkout`),
    sittings: (date, party) => request("GET", `${base}/nights/${date}/sittings?party_size=${party}`),
    floor: (date, sittingId) =>
      request("GET", `${base}/nights/${date}/floor${sittingId ? `?sitting=${sittingId}` : ""}`),
    reschedulePreview: (token, body) =>
      request("POST", `${base}/reservations/${encodeURIComponent(token)}/reschedule/preview`, body),
    reschedule: (token, body) =>
      request("POST", `${base}/reservations/${encodeURIComponent(token)}/reschedule`, body),
    joinWaitlist: (body) => request("POST", `${base}/waitlist`, body),
    waitlist: (token) => request("GET", `${base}/waitlist/${encodeURIComponent(token)}`),
    leaveWaitlist: (token) => request("POST", `${base}/waitlist/${encodeURIComponent(token)}/leave`),
    offer: (token) => request("GET", `${base}/offers/${encodeURIComponent(token)}`),
    acceptOffer: (token) => request("POST", `${base}/offers/${encodeURIComponent(token)}/accept`),
    declineOffer: (token) => request("POST", `${base}/offers/${encodeURIComponent(token)}/decline`),
  };
}

// Human messages for the codes a guest can meet. `detail` from the server adds specifics
// (e.g. the party range) where it is more useful than our generic line.
const MESSAGES = {
  table_unavailable: t("Just taken — someone else got there first."),
  booking_cutoff: t("Online booking for this night has closed. Call the venue — they may still fit you in."),
  night_closed: t("The venue is closed that night. Pick another night."),
  party_size_not_allowed: t("That table doesn't suit a party of this size."),
  booking_not_open: t("Bookings for that night aren't open yet."),
  hold_expired: t("Your hold ran out and the table went back on the floor. Choose it again if it's still free."),
  guest_daily_cap: t("You already have the most bookings we allow for one night."),
  tables_not_joinable: t("Those tables can't be joined."),
  invalid_transition: t("This booking can't be changed any more."),
  reservation_changed: t("Your booking changed meanwhile. Reload and try again."),
  not_found: t("We couldn't find that. It may have expired."),
  already_paid: t("This deposit is already paid."),
  payment_provider_unavailable: t("The payment page couldn't be opened. Please try again in a moment."),
  cancel_cutoff: t("It's too close to the night to cancel online. Please call the venue."),
  reschedule_cutoff: t("It's too close to the night to change it online. Please call the venue."),
  waitlist_already_joined: t("You're already on the waitlist for that night. Use the link we gave you to see your place."),
  waitlist_entry_closed: t("This place on the waitlist is closed."),
  waitlist_offer_closed: t("This offer has already been answered."),
  waitlist_offer_lapsed: t("This offer ran out and the table went to the next party."),
  sitting_full_covers: t("This sitting just filled up. Please choose another time."),
  sitting_full_tables: t("The last table for your party at that time has just gone. Please choose another time."),
  sitting_full_pacing: t("That time has just filled up. A time close to it may still be free."),
  party_too_large: t("We can't seat a party that large online. Please call us."),
  network: t("No connection. Check your signal and try again."),
  internal_error: t("Something went wrong on our side. Please try again."),
};

export function humanMessage(problem) {
  const base = MESSAGES[problem.code];
  // The English detail adds specifics (the party range); other languages get its gist.
  if ((problem.code === "party_size_not_allowed" || problem.code === "guest_daily_cap") && LANG === "en") {
    return `${base} (${problem.message})`;
  }
  if (problem.code === "invalid" && problem.errors.length) {
    return t("Please check the highlighted details.");
  }
  return base || problem.message || t("Something went wrong. Please try again.");
}

// ---- formatting: amounts are integer minor units; times are the venue's local ISO -----

// "£" rather than French "£GB": the venue's currency is never in doubt on its own page.
const moneyCache = new Map();
function moneyFormat(currency, compact) {
  const key = `${currency}:${compact}`;
  if (!moneyCache.has(key)) {
    const digits = currency === "JPY" ? 0 : 2;
    moneyCache.set(
      key,
      new Intl.NumberFormat(LOCALE, compact
        ? { style: "currency", currency, currencyDisplay: "narrowSymbol", notation: "compact", maximumFractionDigits: 1 }
        : { style: "currency", currency, currencyDisplay: "narrowSymbol", minimumFractionDigits: 0, maximumFractionDigits: digits }),
    );
  }
  return moneyCache.get(key);
}

const minorDigits = (currency) =>
  new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits;

export function money(minor, currency, { compact = false } = {}) {
  if (minor == null) return "—"; // a table the venue's pricing cannot price has no minimum
  const major = minor / 10 ** minorDigits(currency);
  return moneyFormat(currency, compact).format(major);
}

// "2026-11-27T22:00+00:00" -> "22:00": the instant in the venue's timezone, in the page's
// locale; never the browser's timezone. Without an offset (or a zone), the wall-clock digits.
const timeFormat = new Intl.DateTimeFormat(LOCALE, { hour: "2-digit", minute: "2-digit", timeZone: TIME_ZONE });
export function localTime(iso) {
  if (!iso) return "";
  if (TIME_ZONE && /(Z|[+-]\d\d:?\d\d)$/.test(iso)) return timeFormat.format(new Date(iso));
  return iso.slice(11, 16);
}

export const timeRange = (startIso, endIso) => `${localTime(startIso)}–${localTime(endIso)}`;

// A calendar date "2026-11-27" is formatted as a date in UTC so no offset can shift it.
function dateParts(isoDate) {
  const [y, m, d] = isoDate.slice(0, 10).split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d));
}

export function dayLabel(isoDate, style = "short") {
  const opts = style === "long"
    ? { weekday: "long", day: "numeric", month: "long", timeZone: "UTC" }
    : { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" };
  return new Intl.DateTimeFormat(LOCALE, opts).format(dateParts(isoDate));
}

export function dayPieces(isoDate) {
  const dt = dateParts(isoDate);
  const f = (o) => new Intl.DateTimeFormat(LOCALE, { ...o, timeZone: "UTC" }).format(dt);
  return { weekday: f({ weekday: "short" }), day: f({ day: "numeric" }), month: f({ month: "short" }) };
}

export const TIER_NAMES = { standard: t("Standard"), premium: t("Premium"), vip: t("VIP") };
export const tierName = (tier) => TIER_NAMES[tier] || tier.charAt(0).toUpperCase() + tier.slice(1);

export const STATE_NAMES = {
  free: t("Free"),
  held: t("On hold"),
  pending: t("Being booked"),
  booked: t("Booked"),
  seated: t("Booked"),
  blocked: t("Unavailable"),
  unavailable: t("Not bookable"),
};
export const stateName = (s) => STATE_NAMES[s] || s;

export const seats = (t) => (t.min_party === t.max_party ? `${t.max_party}` : `${t.min_party}–${t.max_party}`);

// Brand colour from the venue: set as CSS custom properties (allowed under a strict CSP,
// unlike inline style attributes), with a readable text colour picked for it.
export function applyBrand(colour) {
  // A venue's brand stylesheet (/v/{slug}/brand.css) sets every colour, contrast-checked.
  if (document.getElementById("brand-css")) return;
  if (!/^#([0-9a-f]{3}){1,2}$/i.test(colour || "")) return;
  let hex = colour.slice(1);
  if (hex.length === 3) hex = [...hex].map((c) => c + c).join("");
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  const lin = (c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  const lum = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  const root = document.documentElement.style;
  root.setProperty("--brand", colour);
  root.setProperty("--on-brand", lum > 0.35 ? "#14110c" : "#ffffff");
}

// A short note in the page's #toast that goes away by itself.
let toastTimer;
export function toast(text) {
  const box = document.getElementById("toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (box.hidden = true), 4000);
}

// Leave for the payment page. Inside a venue's own site (<maitre-booking>) the whole tab
// goes there, as Checkout does not run in a frame; the guest comes back to the manage page.
export function goToCheckout(url) {
  if (window.top !== window) {
    try {
      window.top.location.href = url;
      return;
    } catch {
      if (window.open(url, "_blank", "noopener")) return;
    }
  }
  location.assign(url);
}

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v == null) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c != null) node.append(c);
  return node;
}

export function fillFacts(dl, rows) {
  // <div> groups are valid inside <dl> and let CSS lay the pairs out as tiles.
  dl.replaceChildren(...rows.map(([k, v, cls]) => el("div", {}, el("dt", { text: k }), el("dd", { text: v, class: cls }))));
}

/** The pieces of a night card, with spaces between them for its accessible name. */
export function nightCardText(d, title, time, status) {
  const piece = (cls, text) => el("span", { class: cls, text });
  return [
    piece("n-wd", d.weekday), " ",
    piece("n-day", d.day), " ",
    piece("n-mon", d.month), " ",
    title ? piece("n-title", title) : el("span", { class: "n-title", "aria-hidden": "true", text: "\u00a0" }), " ",
    ...(time ? [piece("n-time", time), " "] : []),
    piece("n-status", status),
  ];
}
