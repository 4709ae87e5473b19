// Commissions (live) and finance (tonight + the 30-night forecast) for owner, manager and
// finance. Read-only: nothing on this page writes. New ledger lines arrive over
// /ws/staff/commissions and are added to the feed at once; totals are refetched.

import { dayLabel, tierName } from "../api.js";
import { describe, drawForecast, whole } from "./chart.js";
import {
  $, CommissionSocket, PERIODS, addDays, businessDay, call, clock, el, kindName, kindPill, money, query,
  ruleText, setLive, signIn, signedMoney, staffMessage, staffTop, toast,
} from "./common.js";
import { plural, t } from "../i18n.js";

const ROLES = ["owner", "manager", "finance"];
const s = {
  me: null,
  venue: null,
  S: "",
  period: "month",
  from: null,
  to: null,
  hostId: "",
  data: null,
  seen: new Set(),
  day: null,
  forecast: null,
  fcRows: [],
  view: null,
};

signIn({
  onReady: (me) => {
    s.me = me;
    $("main").hidden = false;
    if (!ROLES.includes(me.role)) {
      $("m-top").hidden = false;
      const box = $("m-blocked");
      box.replaceChildren(
        `${t("Not allowed for your role.")} `,
        el("a", { href: me.role === "host" ? "/host" : "/admin", text: me.role === "host" ? t("Open your host view") : t("Back to the console") }),
      );
      box.hidden = false;
      return;
    }
    $("fin-readonly").hidden = me.role !== "finance";
    staffTop(me, null, (v) => {
      s.venue = v;
      s.S = `/api/v1/staff/venues/${encodeURIComponent(v.slug)}`;
      document.title = `${v.name} · Commissions & finance`;
      s.day = businessDay(v.timezone);
      const range = PERIODS.find((p) => p.key === s.period).range(s.day);
      [s.from, s.to] = range;
      loadHosts();
      route(true);
    });
    new CommissionSocket({
      onEntries: (entries) => pushed(entries),
      onResync: () => loadCommissions(),
      onStatus: (st) => setLive($("comm-status"), st),
    });
    window.addEventListener("hashchange", () => route());
  },
});

function route(force = false) {
  const name = (location.hash || "#/commissions").replace(/^#\/?/, "").split("/")[0];
  const view = ["commissions", "finance"].includes(name) ? name : "commissions";
  const changed = view !== s.view;
  s.view = view;
  document.querySelectorAll("main > .view").forEach((v) => (v.hidden = v.dataset.view !== view));
  document.querySelectorAll(".m-nav a[data-page]").forEach((a) => {
    if (a.dataset.page === view) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  });
  if (!changed && !force) return;
  if (view === "commissions") loadCommissions();
  else loadFinance();
}

// ---------- commissions -------------------------------------------------------------------

async function loadHosts() {
  try {
    const hosts = await call("GET", `${s.S}/hosts`);
    $("comm-host").replaceChildren(new Option(t("All hosts"), ""), ...hosts.map((h) => new Option(`${h.name} (${h.code})`, h.id)));
  } catch {
    // Finance can't list hosts: the per-host table still names them.
  }
}

function renderPeriods() {
  $("comm-period").replaceChildren(
    ...PERIODS.map((p) =>
      el("button", {
        type: "button",
        class: "chip",
        text: p.label,
        "aria-pressed": String(p.key === s.period),
        onclick: () => {
          s.period = p.key;
          [s.from, s.to] = p.range(s.day);
          loadCommissions();
        },
      }),
    ),
  );
  $("comm-from").value = s.from || "";
  $("comm-to").value = s.to || "";
}

$("comm-from").addEventListener("change", (ev) => customRange(ev.target.value, s.to));
$("comm-to").addEventListener("change", (ev) => customRange(s.from, ev.target.value));
$("comm-host").addEventListener("change", (ev) => {
  s.hostId = ev.target.value;
  loadCommissions();
});
function customRange(from, to) {
  s.period = "custom";
  s.from = from || null;
  s.to = to || null;
  loadCommissions();
}

let commTimer;
function loadCommissions() {
  clearTimeout(commTimer);
  commTimer = setTimeout(fetchCommissions, 80);
}

async function fetchCommissions() {
  if (!s.S) return;
  renderPeriods();
  const params = { from: s.from, to: s.to, host_id: s.hostId };
  $("comm-csv").href = `${s.S}/commissions.csv${query(params)}`;
  let r;
  try {
    r = await call("GET", `${s.S}/commissions${query({ ...params, limit: 100 })}`);
  } catch (p) {
    toast(staffMessage(p));
    return;
  }
  s.data = r;
  const k = r.totals.by_kind || {};
  const other = r.totals.net - (k.accrual || 0) - (k.reversal || 0) - (k.settlement || 0);
  $("comm-totals").replaceChildren(
    tile(t("Net commission"), money(r.totals.net, r.currency), "net"),
    tile(t("Bookings"), String(r.totals.reservations), "count"),
    tile(t("Accrued"), money(k.accrual || 0, r.currency)),
    tile(t("Reversed"), money(k.reversal || 0, r.currency)),
    tile(t("Settled"), money(k.settlement || 0, r.currency)),
    tile(t("Adjustments"), signedMoney(other, r.currency)),
  );
  const body = $("comm-hosts").tBodies[0];
  const rows = [...r.hosts].sort((a, b) => b.net - a.net);
  body.replaceChildren(
    ...(rows.length
      ? rows.map((h) => {
        const bk = h.by_kind || {};
        const oth = h.net - (bk.accrual || 0) - (bk.reversal || 0) - (bk.settlement || 0);
        return el(
          "tr",
          { "data-host-id": h.host_id || "" },
          el("th", { scope: "row", text: h.host_name || "—" }),
          el("td", { class: "num", text: String(h.reservations) }),
          el("td", { class: "num", text: money(bk.accrual || 0, r.currency) }),
          el("td", { class: "num neg", text: bk.reversal ? money(bk.reversal, r.currency) : "—" }),
          el("td", { class: "num", text: bk.settlement ? money(bk.settlement, r.currency) : "—" }),
          el("td", { class: "num", text: oth ? signedMoney(oth, r.currency) : "—" }),
          el("td", { class: "num strong", text: money(h.net, r.currency) }),
        );
      })
      : [el("tr", {}, el("td", { colspan: 7, class: "muted empty", text: t("No commission in this period.") }))]),
  );
  const feed = $("comm-feed");
  const fresh = new Set([...feed.querySelectorAll("li.flash")].map((li) => li.dataset.lineId));
  const lines = [...r.entries].sort((a, b) => (b.at || "").localeCompare(a.at || "")).slice(0, 60);
  lines.forEach((l) => s.seen.add(l.id));
  feed.replaceChildren(...(lines.length ? lines.map((l) => feedItem(l, fresh.has(l.id))) : [el("li", { class: "muted empty", text: t("Nothing yet. New commission appears here the moment a booking is confirmed.") })]));
  $("feed-note").textContent = s.period === "custom" ? "" : `· ${PERIODS.find((p) => p.key === s.period)?.label.toLowerCase() || ""}`;
}

function tile(label, value, key) {
  return el("div", { "data-total": key || label.toLowerCase() }, el("dt", { text: label }), el("dd", {}, el("strong", { text: value })));
}

function inPeriod(line) {
  if (s.hostId && line.host_id !== s.hostId) return false;
  return (!s.from || line.date >= s.from) && (!s.to || line.date <= s.to);
}

function feedItem(l, flash) {
  return el(
    "li",
    { class: `m-line${flash ? " flash" : ""}`, "data-line-id": l.id, "data-kind": l.kind, "data-reservation-id": l.reservation_id },
    el("span", { class: "m-line-time muted small", text: clock(l.at) }),
    kindPill(l.kind),
    el("span", { class: "m-line-who" }, el("strong", { text: l.host_name || "—" }), el("span", { class: "muted small", text: ` · ${dayLabel(l.date)} · ${ruleText(l)}` })),
    el("strong", { class: `num ${l.amount < 0 ? "neg" : "pos"}`, text: signedMoney(l.amount, l.currency) }),
  );
}

/** Pushed lines: show them at once (highlighted), then refresh the totals. */
function pushed(entries) {
  if (s.view !== "commissions") return;
  const feed = $("comm-feed");
  const mine = entries.filter((l) => inPeriod(l) && !s.seen.has(l.id));
  if (mine.length) {
    feed.querySelector(".empty")?.remove();
    for (const l of mine) {
      s.seen.add(l.id);
      feed.prepend(feedItem(l, true));
    }
    toast(mine.length === 1 ? `${kindName(mine[0].kind)}: ${mine[0].host_name} ${signedMoney(mine[0].amount, mine[0].currency)}` : t("{n} new commission lines", { n: mine.length }));
  }
  loadCommissions();
}

// ---------- finance -------------------------------------------------------------------------

$("fin-date").addEventListener("change", (ev) => ev.target.value && loadTonight(ev.target.value));
$("fin-prev").addEventListener("click", () => loadTonight(addDays(s.finDay || s.day, -1)));
$("fin-next").addEventListener("click", () => loadTonight(addDays(s.finDay || s.day, 1)));
$("fin-today").addEventListener("click", () => loadTonight(s.day));

function loadFinance() {
  loadTonight(s.finDay || s.day);
  loadForecast();
  loadWaitlist();
}

// "The waitlist recovered 14 bookings worth £9,800 this month."
async function loadWaitlist() {
  let r;
  try {
    r = await call("GET", `${s.S}/finance/waitlist`);
  } catch {
    return;
  }
  const made = Object.values(r.offers || {}).reduce((a, b) => a + b, 0);
  const lapsed = (r.offers || {}).lapsed || 0;
  const p = $("fin-waitlist");
  const worth = { n: r.bookings, value: money(r.value, r.currency) };
  p.textContent = plural(r.bookings, t("The waitlist recovered {n} booking worth {value} this month", worth), t("The waitlist recovered {n} bookings worth {value} this month", worth)) +
    (made ? ` (${plural(made, t("{n} offer made, {lapsed} lapsed", { n: made, lapsed }), t("{n} offers made, {lapsed} lapsed", { n: made, lapsed }))}).` : ".");
  p.hidden = false;
}

const pct = (v) => `${Math.round(v * 100)}%`;

async function loadTonight(day) {
  s.finDay = day;
  $("fin-date").value = day;
  let r;
  try {
    r = await call("GET", `${s.S}/finance/tonight${query({ date: day })}`);
  } catch (p) {
    toast(staffMessage(p));
    return;
  }
  const tb = r.totals;
  const title = [day === s.day ? t("Tonight") : "", dayLabel(r.date, "long"), r.night?.title].filter(Boolean).join(" · ");
  $("fin-night").textContent = r.night?.is_closed ? `${title} · closed` : title;
  $("fin-totals").replaceChildren(
    tile(t("Guaranteed"), money(tb.guaranteed, r.currency), "guaranteed"),
    tile(t("Expected"), money(tb.expected, r.currency), "expected"),
    tile(t("Deposits collected"), money(tb.deposits_collected, r.currency)),
    tile(t("Confirmed minimums"), money(tb.confirmed_minimums, r.currency)),
    tile(t("Bookings · covers"), `${tb.reservations} · ${tb.covers}`),
    tile(t("Show rate"), r.show_rate_sample ? pct(r.show_rate) : "—", "show"),
  );
  const max = Math.max(1, ...r.by_tier.map((b) => b.guaranteed), ...r.by_host.map((b) => b.guaranteed));
  revTable($("fin-tiers"), t("Tier"), r.by_tier.map((b) => [tierName(b.tier), b]), r.currency, max, tb);
  revTable($("fin-hosts"), t("Host"), r.by_host.map((b) => [b.host_name || t("No host (direct)"), b]), r.currency, max, tb);
  $("fin-totals").title = r.show_rate_sample ? t("Expected = confirmed minimums × the venue's show rate ({rate} over {n} past bookings).", { rate: pct(r.show_rate), n: r.show_rate_sample }) : "";
}

function revTable(table, what, rows, cur, max, totals) {
  const head = el("thead", {}, el("tr", {}, ...[what, t("Bookings"), t("Covers"), t("Deposits"), t("Minimums"), t("Guaranteed"), t("Expected")].map((h, i) => el("th", { scope: "col", class: i ? "num" : "", text: h }))));
  const bar = (b) => el("span", { class: "m-bar", "aria-hidden": "true" }, el("span", { class: "m-bar-g", "data-w": Math.round((b.guaranteed / max) * 100) }));
  const body = el(
    "tbody",
    {},
    ...(rows.length
      ? rows.map(([name, b]) =>
        el(
          "tr",
          {},
          el("th", { scope: "row" }, el("span", { text: name }), bar(b)),
          el("td", { class: "num", text: String(b.reservations) }),
          el("td", { class: "num", text: String(b.covers) }),
          el("td", { class: "num", text: money(b.deposits_collected, cur) }),
          el("td", { class: "num", text: money(b.confirmed_minimums, cur) }),
          el("td", { class: "num strong", text: money(b.guaranteed, cur) }),
          el("td", { class: "num", text: money(b.expected, cur) }),
        ))
      : [el("tr", {}, el("td", { colspan: 7, class: "muted empty", text: t("No confirmed bookings this night.") }))]),
  );
  const foot = rows.length > 1
    ? el("tfoot", {}, el("tr", {}, el("th", { scope: "row", text: t("Total") }), el("td", { class: "num", text: String(totals.reservations) }), el("td", { class: "num", text: String(totals.covers) }), el("td", { class: "num", text: money(totals.deposits_collected, cur) }), el("td", { class: "num", text: money(totals.confirmed_minimums, cur) }), el("td", { class: "num strong", text: money(totals.guaranteed, cur) }), el("td", { class: "num", text: money(totals.expected, cur) })))
    : null;
  table.replaceChildren(head, body, ...(foot ? [foot] : []));
  // Bar widths through the CSSOM (a style attribute would break the CSP).
  table.querySelectorAll(".m-bar-g").forEach((b) => (b.style.width = `${b.dataset.w}%`));
}

async function loadForecast() {
  try {
    s.forecast = await call("GET", `${s.S}/finance/forecast${query({ from: s.day, days: 30 })}`);
  } catch (p) {
    $("fc-summary").textContent = staffMessage(p);
    return;
  }
  drawChart();
  summarise();
}

function drawChart() {
  if (!s.forecast) return;
  const chart = $("forecast-chart");
  s.fcRows = drawForecast(chart, s.forecast, { onPoint: tip });
}

const chartObserver = new ResizeObserver(() => {
  const w = Math.round($("fc-wrap").clientWidth);
  if (w && w !== s.chartW) {
    s.chartW = w;
    drawChart();
  }
});
chartObserver.observe($("fc-wrap"));

function tip(r, at) {
  const box = $("fc-tip");
  const cur = s.forecast.currency;
  const rows = r.is_closed
    ? [el("p", { class: "muted", text: t("Closed") })]
    : [
      line(t("Booked so far"), money(r.booked || 0, cur), "lg-booked"),
      line(t("Expected final"), r.expected == null ? "—" : whole(r.expected, cur), "lg-expected"),
      line(t("Pace (same weekdays)"), r.pace == null ? "—" : whole(r.pace, cur), "lg-pace"),
      line(t("Reservations"), String(r.count || 0)),
      line(t("Turned away"), String(r.turn || 0), "lg-turn"),
      r.pace_bp != null ? line(t("Vs pace"), `${Math.round(r.pace_bp / 100)}%`) : null,
    ];
  box.replaceChildren(el("p", { class: "m-tip-head", text: `${dayLabel(r.date, "long")}${r.title ? ` · ${r.title}` : ""}` }), ...rows.filter(Boolean));
  box.hidden = false;
  box.classList.toggle("left", at.x > 0.6);
  box.style.left = `${(at.x * 100).toFixed(2)}%`;
  document.querySelectorAll(".fc-night.active").forEach((g) => g.classList.remove("active"));
  document.querySelector(`.fc-night[data-date="${r.date}"]`)?.classList.add("active");
}
function line(k, v, sw) {
  return el("p", { class: "m-tip-row" }, el("span", {}, sw ? el("span", { class: `lg ${sw}` }) : "", k), el("strong", { text: v }));
}
$("fc-wrap").addEventListener("pointerleave", () => {
  $("fc-tip").hidden = true;
  document.querySelectorAll(".fc-night.active").forEach((g) => g.classList.remove("active"));
});

function summarise() {
  const f = s.forecast;
  const rows = s.fcRows;
  const open = rows.filter((r) => !r.is_closed);
  const sum = (k) => open.reduce((a, r) => a + (r[k] || 0), 0);
  const cur = f.currency;
  const bookedTotal = sum("booked");
  const expectedTotal = sum("expected");
  const turned = rows.reduce((a, r) => a + (r.turn || 0), 0);
  $("h-fc").textContent = t("Next {n} nights", { n: f.days }); // the span the subtitle dates, set up or not
  $("fc-sub").textContent = `${dayLabel(f.from)} – ${dayLabel(f.to)} · ${t("pace from the last {n} weeks", { n: f.history_weeks })}`;
  $("fc-summary").textContent =
    t("{n} open nights: {booked} booked so far, {expected} expected by the night; {turned} parties turned away. Closed nights are hatched.", {
      n: open.length, booked: money(bookedTotal, cur), expected: whole(expectedTotal, cur), turned,
    });
  const head = el("thead", {}, el("tr", {}, ...[t("Night"), t("Booked"), t("Reservations"), t("Expected final"), t("Pace"), t("Turned away")].map((h, i) => el("th", { scope: "col", class: i ? "num" : "", text: h }))));
  const body = el(
    "tbody",
    {},
    ...rows.map((r) =>
      el(
        "tr",
        { class: r.is_closed ? "closed" : "", title: describe(r, cur) },
        el("th", { scope: "row", text: `${dayLabel(r.date)}${r.title ? ` · ${r.title}` : ""}${r.is_closed ? " · closed" : ""}` }),
        el("td", { class: "num", text: r.is_closed ? "—" : money(r.booked || 0, cur) }),
        el("td", { class: "num", text: r.is_closed ? "—" : String(r.count || 0) }),
        el("td", { class: "num", text: r.expected == null ? "—" : whole(r.expected, cur) }),
        el("td", { class: "num", text: r.pace == null ? "—" : whole(r.pace, cur) }),
        el("td", { class: "num", text: String(r.turn || 0) }),
      )),
  );
  $("fc-table").replaceChildren(head, body);
}
