// The host's phone view: sign in, book clients on the live floor, see your own bookings and
// commissions (pushed live), and share your personal booking link. Only the host API and
// the public floor are used, so a host never sees another host's data or venue totals.

import { api, dayLabel, dayPieces, localTime, nightCardText, seats, tierName, timeRange } from "../api.js";
import { FloorView } from "../floor.js";
import { FloorSocket } from "../live.js";
import { clearErrors, showErrors, statusPill } from "../console/ui.js";
import {
  $, CommissionSocket, PERIODS, businessDay, call, el, kindName, kindPill, money, query, ruleText, setLive,
  signIn, signOut, signedMoney, staffMessage, toast,
} from "./common.js";
import { t } from "../i18n.js";

const H = "/api/v1/host";
// How the booking reached the host: their own booking, or a guest through their link.
const CHANNEL_TEXT = { host_link: t("via your link"), online: t("via your link"), host: t("yours") };
const s = {
  host: null, // GET /host/me
  me: null, // GET /staff/me (venues with timezones)
  slug: null,
  venue: null,
  nights: [],
  day: null,
  sittingId: null,
  party: 4,
  floorSocket: null,
  table: null,
  mineByDay: new Map(), // date -> Set of table labels booked by this host
  bookingsPast: false,
  bookingsPage: 1,
  period: "month",
  money: null,
};

const view = new FloorView({
  svgEl: $("floor-svg"),
  listBody: $("list-body"),
  chips: $("area-chips"),
  onSelect: (tb) => openSheet(tb),
});

// ---------- start ----------------------------------------------------------------------

signIn({
  onReady: async (me) => {
    s.me = me;
    if (me.role !== "host") {
      const main = $("main");
      main.hidden = false;
      $("tab-book").hidden = true;
      const box = $("h-blocked");
      box.replaceChildren(
        `${t("This view is for hosts; you are signed in as {role}.", { role: me.role })} `,
        el("a", { href: me.role === "finance" ? "/admin/money" : "/admin", text: t("Open the staff pages") }),
      );
      box.hidden = false;
      return;
    }
    try {
      s.host = await call("GET", `${H}/me`);
    } catch (p) {
      toast(staffMessage(p));
      return;
    }
    $("h-top").hidden = false;
    $("main").hidden = false;
    $("h-tabbar").hidden = false;
    $("host-name").textContent = s.host.name;
    $("host-code").textContent = s.host.code;
    $("host-code").setAttribute("aria-label", t("Your host code {code}", { code: s.host.code }));
    const venues = me.venues.filter((v) => s.host.links.some((l) => l.venue === v.slug));
    const select = $("venue-select");
    if (venues.length > 1) {
      select.replaceChildren(...venues.map((v) => new Option(v.name, v.slug)));
      select.hidden = false;
      select.addEventListener("change", () => setVenue(venues.find((v) => v.slug === select.value)));
    }
    renderLinks();
    new CommissionSocket({
      onEntries: (entries) => {
        const mine = entries.filter((e) => e.host_id === s.host.id);
        if (!mine.length) return;
        loadEarnings();
        if (!$("tab-bookings").hidden) loadBookings();
      },
      onResync: () => loadEarnings(),
      onStatus: (st) => setLive($("money-status"), st),
    });
    if (venues[0]) await setVenue(venues[0]);
    window.addEventListener("hashchange", route);
    route();
  },
});

$("logout").addEventListener("click", () => signOut("/host"));

async function setVenue(v) {
  s.venue = v;
  s.slug = v.slug;
  $("venue-name").textContent = v.name;
  document.title = `${v.name} · Host`;
  await loadNights();
  loadEarnings();
}

// ---------- tabs -----------------------------------------------------------------------

const TABS = ["book", "bookings", "earnings", "link"];
function route() {
  const name = (location.hash || "#book").slice(1);
  const tab = TABS.includes(name) ? name : "book";
  document.querySelectorAll(".h-tab").forEach((sec) => (sec.hidden = sec.dataset.tab !== tab));
  document.querySelectorAll(".h-tabbar a").forEach((a) => {
    if (a.dataset.tab === tab) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  });
  if (tab !== "book") closeSheet();
  if (tab === "book") view.applyViewBox();
  if (tab === "bookings") loadBookings();
  if (tab === "earnings") loadEarnings();
  window.scrollTo(0, 0);
}

// ---------- book: nights, party, live floor ---------------------------------------------

async function loadNights() {
  try {
    s.nights = await api(s.slug).nights(42);
  } catch (p) {
    $("nights").replaceChildren(el("p", { class: "error-box", text: staffMessage(p) }));
    return;
  }
  const open = s.nights.filter((n) => !n.closed);
  renderNights();
  const first = open[0];
  if (first) await selectNight(first.date);
  else $("floor-hint").textContent = t("No open nights coming up.");
}

function renderNights() {
  const box = $("nights");
  box.setAttribute("aria-busy", "false");
  const list = el("ul", { class: "night-list", role: "list" });
  for (const n of s.nights) {
    const d = dayPieces(n.date);
    const title = n.title || (n.event_type !== "regular" ? n.event_type : "");
    const status = n.closed ? t("Closed") : n.sold_out ? t("Full") : `${n.tables_free} free`;
    list.append(
      el(
        "li",
        {},
        el(
          "button",
          {
            type: "button",
            class: `night${n.closed || n.sold_out ? " unavailable" : ""}${n.tables_free <= 3 ? " few" : ""}`,
            "data-date": n.date,
            "aria-pressed": String(s.day === n.date),
            disabled: n.closed,
            onclick: () => selectNight(n.date),
          },
          ...nightCardText(d, title, "", status),
        ),
      ),
    );
  }
  box.replaceChildren(list);
}

async function selectNight(day) {
  s.day = day;
  closeSheet();
  document.querySelectorAll(".night").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.date === day)));
  document.querySelector(`.night[data-date="${day}"]`)?.scrollIntoView({ block: "nearest", inline: "nearest" });
  const n = s.nights.find((x) => x.date === day);
  const sittings = n?.sittings || [];
  if (!sittings.some((x) => x.id === s.sittingId)) s.sittingId = sittings[0]?.id || null;
  const ss = $("sitting-select");
  ss.hidden = sittings.length < 2;
  ss.replaceChildren(...sittings.map((x) => new Option(`${x.name} ${localTime(x.starts_local)}–${localTime(x.ends_local)}`, x.id)));
  if (s.sittingId) ss.value = s.sittingId;
  const note = $("night-note");
  note.hidden = !n?.title;
  note.textContent = n?.title ? `${n.title} · ${timeRange(n.opens_local, n.closes_local)}` : "";
  note.className = "h-night-title";
  await loadMine();
  connectFloor();
}

$("sitting-select").addEventListener("change", (ev) => {
  s.sittingId = ev.target.value;
  connectFloor();
});

function connectFloor() {
  s.floorSocket?.close();
  if (!s.sittingId) return;
  s.floorSocket = new FloorSocket(s.slug, s.sittingId, {
    onSnapshot: (floor) => {
      view.setFloor(floor);
      view.setParty(s.party);
      markMine();
      updateHint(floor.night?.tables_free);
    },
    onDelta: (d) => {
      if (d.sitting_id && d.sitting_id !== s.sittingId) return;
      view.applyDelta(d.tables || []);
      if (typeof d.tables_free === "number") updateHint(d.tables_free);
      if (s.table) {
        const tb = view.get(s.table.id);
        if (tb && tb.state !== "free" && $("booked").hidden) tableGone(tb);
      }
    },
    onStatus: (st) => setLive($("live-status"), st),
  });
}

function updateHint(free) {
  if (typeof free !== "number") return;
  const fits = view.all().filter((tb) => view.selectable(tb)).length;
  $("floor-hint").textContent = t("{free} free · {fits} fit a party of {party}. Tap a green table to book it.", { free, fits, party: s.party });
  const btn = document.querySelector(`.night[data-date="${s.day}"] .n-status`);
  if (btn) btn.textContent = free > 0 ? t("{n} free", { n: free }) : t("Full");
}

function setParty(n) {
  s.party = Math.max(1, Math.min(30, n));
  $("party-size").textContent = String(s.party);
  $("party-minus").disabled = s.party <= 1;
  view.setParty(s.party);
  updateHint(view.all().filter((tb) => tb.state === "free").length);
  if (s.table && !view.fits(view.get(s.table.id))) closeSheet();
  else if (s.table) fillSheetMeta(view.get(s.table.id));
}
$("party-minus").addEventListener("click", () => setParty(s.party - 1));
$("party-plus").addEventListener("click", () => setParty(s.party + 1));

function setMode(map) {
  $("map-view").hidden = !map;
  $("list-view").hidden = map;
  $("area-chips").hidden = !map;
  $("show-map").setAttribute("aria-pressed", String(map));
  $("show-list").setAttribute("aria-pressed", String(!map));
  if (map) view.applyViewBox();
}
$("show-map").addEventListener("click", () => setMode(true));
$("show-list").addEventListener("click", () => setMode(false));
$("zoom-in").addEventListener("click", () => view.zoomBy(1.5));
$("zoom-out").addEventListener("click", () => view.zoomBy(1 / 1.5));
$("zoom-fit").addEventListener("click", () => view.fit());

/** My live bookings this night, outlined on the map so I can see where my clients sit. */
async function loadMine() {
  try {
    const r = await call("GET", `${H}/venues/${s.slug}/reservations${query({ from: s.day, to: s.day, per_page: 100 })}`);
    const live = r.items.filter((x) => ["confirmed", "seated", "pending_payment", "hold"].includes(x.status));
    s.mineByDay.set(s.day, new Set(live.flatMap((x) => x.tables)));
  } catch {
    s.mineByDay.set(s.day, new Set());
  }
  markMine();
}

function markMine() {
  const labels = s.mineByDay.get(s.day) || new Set();
  view.setMarked(view.all().filter((tb) => labels.has(tb.label)).map((tb) => tb.id));
}

// ---------- the booking sheet --------------------------------------------------------------

function fillSheetMeta(tb) {
  const n = s.nights.find((x) => x.date === s.day);
  $("sheet-title").textContent = t("Table {label}", { label: tb.label });
  $("sheet-tier").textContent = tierName(tb.tier);
  $("sheet-tier").className = `tier-chip tier-${tb.tier}`;
  const bits = [
    `${dayLabel(s.day)} ${n ? timeRange(n.opens_local, n.closes_local) : ""}`.trim(),
    `${s.party} guest${s.party === 1 ? "" : "s"} (seats ${seats(tb)})`,
    `min ${money(tb.minimum, view.currency)}`,
  ];
  if (tb.deposit) bits.push(`deposit ${money(tb.deposit, view.currency)}`);
  $("sheet-meta").textContent = bits.join(" · ");
  $("book-submit").textContent = t("Book {table} for {party}", { table: tb.label, party: s.party });
}

function openSheet(tb) {
  s.table = tb;
  view.setSelected(tb.id);
  fillSheetMeta(tb);
  $("book-form").hidden = false;
  $("booked").hidden = true;
  $("book-error").hidden = true;
  clearErrors($("book-form"));
  $("sheet").hidden = false;
  document.body.classList.add("sheet-open");
  $("g-name").focus({ preventScroll: true });
}

function closeSheet() {
  if (!s.table && $("sheet").hidden) return;
  s.table && view.setSelected(null);
  s.table = null;
  $("sheet").hidden = true;
  document.body.classList.remove("sheet-open");
}
$("sheet-close").addEventListener("click", closeSheet);
document.addEventListener("keydown", (ev) => {
  if (ev.key === "Escape" && !$("sheet").hidden) closeSheet();
});

function tableGone(tb) {
  const box = $("book-error");
  box.textContent = t("Table {label} was just taken. Pick another green table.", { label: tb.label });
  box.hidden = false;
  $("book-submit").disabled = true;
  setTimeout(() => ($("book-submit").disabled = false), 50);
}

$("book-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const form = $("book-form");
  clearErrors(form);
  $("book-error").hidden = true;
  const tb = s.table;
  if (!tb) return;
  const name = $("g-name").value.trim();
  const phone = $("g-phone").value.trim();
  const email = $("g-email").value.trim();
  const notes = $("g-notes").value.trim();
  if (!name) {
    showErrors(form, [{ field: "guest.name", message: t("Enter your client's name.") }]);
    return;
  }
  if (!phone && !email) {
    showErrors(form, [{ field: "guest.phone", message: t("A phone number or email, so the venue can reach them.") }]);
    return;
  }
  const btn = $("book-submit");
  btn.disabled = true;
  btn.setAttribute("aria-busy", "true");
  try {
    const r = await call("POST", `${H}/venues/${s.slug}/bookings`, {
      date: s.day,
      table_ids: [tb.id],
      party_size: s.party,
      sitting_id: s.sittingId,
      guest: { name, ...(phone ? { phone } : {}), ...(email ? { email } : {}) },
      ...(notes ? { notes } : {}),
    });
    booked(r);
  } catch (p) {
    if (p.code === "invalid" && p.errors.length) {
      const left = showErrors(form, p.errors);
      if (left.length) {
        $("book-error").textContent = left.map((e) => `${e.field}: ${e.message}`).join("; ");
        $("book-error").hidden = false;
      }
    } else {
      $("book-error").textContent = p.code === "table_unavailable"
        ? t("Table {label} was just taken. Pick another green table.", { label: tb.label })
        : staffMessage(p);
      $("book-error").hidden = false;
    }
  } finally {
    btn.disabled = false;
    btn.removeAttribute("aria-busy");
  }
});

function booked(r) {
  const labels = r.tables.map((x) => x.label);
  const mine = s.mineByDay.get(r.date) || new Set();
  labels.forEach((l) => mine.add(l));
  s.mineByDay.set(r.date, mine);
  markMine();
  ["g-name", "g-phone", "g-email", "g-notes"].forEach((id) => ($(id).value = ""));
  $("book-form").hidden = true;
  const box = $("booked");
  box.dataset.reservationId = r.id;
  box.replaceChildren(
    el("p", { class: "h-booked-title", text: t("✓ Booked") }),
    el("p", { class: "h-booked-line", text: `${r.guest.name} · table ${labels.join(" + ")} · ${r.party_size} guests` }),
    el("p", { class: "muted small", text: t("{day} · min {minimum} · attributed to you", { day: dayLabel(r.date, "long"), minimum: money(r.minimum, r.currency) }) }),
    el(
      "div",
      { class: "row" },
      el("button", { type: "button", class: "btn btn-primary", text: t("Book another"), onclick: closeSheet }),
      el("a", { class: "btn btn-ghost", href: "#bookings", text: t("My bookings") }),
    ),
  );
  box.hidden = false;
  box.focus();
  toast(t("Booked {tables} for {guest}", { tables: labels.join(" + "), guest: r.guest.name }));
  loadEarnings();
}

// ---------- my bookings --------------------------------------------------------------------

function tonight() {
  return businessDay(s.venue?.timezone);
}

async function loadBookings(more = false) {
  const list = $("my-bookings");
  s.bookingsPage = more ? s.bookingsPage + 1 : 1;
  const today = tonight();
  const params = s.bookingsPast
    ? { to: today, page: s.bookingsPage, per_page: 25 }
    : { from: today, page: s.bookingsPage, per_page: 25 };
  let r;
  try {
    r = await call("GET", `${H}/venues/${s.slug}/reservations${query(params)}`);
  } catch (p) {
    list.replaceChildren(el("li", { class: "error-box", text: staffMessage(p) }));
    return;
  }
  let items = r.items;
  items = s.bookingsPast
    ? items.sort((a, b) => b.date.localeCompare(a.date))
    : items.sort((a, b) => a.date.localeCompare(b.date) || a.starts_at.localeCompare(b.starts_at) || a.created_at.localeCompare(b.created_at));
  const cards = items.map(bookingCard);
  if (!more) list.replaceChildren(...cards);
  else list.append(...cards);
  if (!more && !cards.length) {
    list.replaceChildren(el("li", { class: "muted empty", text: s.bookingsPast ? t("No past bookings yet.") : t("No upcoming bookings. Book a client from the floor.") }));
  }
  $("more-bookings").hidden = r.page * r.per_page >= r.total;
}

function bookingCard(x) {
  const details = el("div", { class: "h-card-more", hidden: true });
  const card = el(
    "li",
    { class: "h-card", "data-res-id": x.id },
    el(
      "button",
      {
        type: "button",
        class: "h-card-main",
        "aria-expanded": "false",
        onclick: async (ev) => {
          const btn = ev.currentTarget;
          const open = btn.getAttribute("aria-expanded") !== "true";
          btn.setAttribute("aria-expanded", String(open));
          details.hidden = !open;
          if (open && !details.dataset.loaded) await loadDetails(x, details);
        },
      },
      el("span", { class: "h-card-date" }, el("strong", { text: dayPieces(x.date).day }), el("span", { text: dayPieces(x.date).month })),
      el(
        "span",
        { class: "h-card-body" },
        el("span", { class: "h-card-guest", text: x.guest_name || t("Guest") }),
        el("span", { class: "muted small", text: `${dayPieces(x.date).weekday} · ${x.tables.join(" + ")} · ${x.party_size} guests · ${CHANNEL_TEXT[x.channel] || "yours"}` }),
      ),
      el("span", { class: "h-card-side" }, statusPill(x.status), el("span", { class: "small num", text: money(x.minimum, x.currency) })),
    ),
    details,
  );
  return card;
}

async function loadDetails(x, box) {
  box.replaceChildren(el("p", { class: "muted small", text: t("Loading…") }));
  try {
    const r = await call("GET", `${H}/venues/${s.slug}/reservations/${x.id}`);
    box.dataset.loaded = "1";
    const contact = [r.guest?.phone || x.guest_phone, r.guest?.email || x.guest_email].filter(Boolean).join(" · ");
    box.replaceChildren(
      contact ? el("p", { class: "small", text: contact }) : "",
      r.notes ? el("p", { class: "c-note small", text: r.notes }) : "",
      el("p", { class: "h-card-comm" }, el("span", { class: "muted small", text: t("Your commission ") }), el("strong", { text: money(r.commission || 0, r.currency) })),
      el(
        "ul",
        { class: "h-lines compact" },
        ...(r.commission_lines || []).map((l) => lineItem(l, false)),
      ),
    );
  } catch (p) {
    box.replaceChildren(el("p", { class: "error-box", text: staffMessage(p) }));
  }
}

$("show-upcoming").addEventListener("click", () => switchBookings(false));
$("show-past").addEventListener("click", () => switchBookings(true));
$("more-bookings").addEventListener("click", () => loadBookings(true));
function switchBookings(past) {
  s.bookingsPast = past;
  $("show-upcoming").setAttribute("aria-pressed", String(!past));
  $("show-past").setAttribute("aria-pressed", String(past));
  loadBookings();
}

// ---------- my commissions ------------------------------------------------------------------

function renderPeriods() {
  $("earn-period").replaceChildren(
    ...PERIODS.filter((p) => p.key !== "30").map((p) =>
      el("button", {
        type: "button",
        class: "chip",
        "aria-pressed": String(p.key === s.period),
        text: p.label,
        onclick: () => {
          s.period = p.key;
          renderPeriods();
          loadEarnings();
        },
      }),
    ),
  );
}

let earnTimer;
function loadEarnings() {
  clearTimeout(earnTimer);
  earnTimer = setTimeout(fetchEarnings, 120); // a burst of pushed lines: one refetch
}

async function fetchEarnings() {
  if (!s.slug) return;
  renderPeriods();
  const [from, to] = PERIODS.find((p) => p.key === s.period).range(tonight());
  const q = query({ from, to });
  $("earn-csv").href = `${H}/venues/${s.slug}/commissions.csv${q}`;
  let r;
  try {
    r = await call("GET", `${H}/venues/${s.slug}/commissions${q}`);
  } catch (p) {
    $("earn-lines").replaceChildren(el("li", { class: "error-box", text: staffMessage(p) }));
    return;
  }
  s.money = r;
  $("earn-net").textContent = money(r.totals.net, r.currency);
  $("earn-count").textContent = `${r.totals.reservations} booking${r.totals.reservations === 1 ? "" : "s"}`;
  $("earn-kinds").replaceChildren(
    ...Object.entries(r.totals.by_kind || {}).map(([k, v]) => el("div", {}, el("dt", { text: kindName(k) }), el("dd", { text: signedMoney(v, r.currency) }))),
  );
  const lines = [...r.entries].sort((a, b) => (b.at || "").localeCompare(a.at || ""));
  $("earn-lines").replaceChildren(
    ...(lines.length ? lines.map((l) => lineItem(l, true)) : [el("li", { class: "muted empty", text: t("No commission in this period yet.") })]),
  );
}

function lineItem(l, withDate) {
  return el(
    "li",
    { class: `h-line k-${l.kind}`, "data-line-id": l.id },
    kindPill(l.kind),
    el(
      "span",
      { class: "h-line-what small" },
      withDate ? el("span", { class: "block", text: dayLabel(l.date) }) : null,
      el("span", { class: "muted block", text: ruleText(l) }),
    ),
    el("strong", { class: `num ${l.amount < 0 ? "neg" : ""}`, text: signedMoney(l.amount, l.currency) }),
  );
}

// ---------- my link -------------------------------------------------------------------------

function renderLinks() {
  const box = $("links");
  box.replaceChildren(
    ...s.host.links.map((l) => {
      const url = new URL(l.path, location.origin).toString();
      const urlBox = el("input", { class: "h-url", type: "text", readonly: true, value: url, "aria-label": t("Your booking link") });
      urlBox.addEventListener("focus", () => urlBox.select());
      const venueName = s.me.venues.find((v) => v.slug === l.venue)?.name || l.venue;
      const copy = async () => {
        try {
          await navigator.clipboard.writeText(url);
        } catch {
          urlBox.focus();
          urlBox.select();
          document.execCommand?.("copy");
        }
        toast(t("Link copied"));
      };
      const share = navigator.share
        ? el("button", {
          type: "button",
          class: "btn btn-ghost",
          text: t("Share…"),
          onclick: () => navigator.share({ title: t("Book at {venue}", { venue: venueName }), text: t("Book your table at {venue} (host code {code})", { venue: venueName, code: l.code }), url }).catch(() => {}),
        })
        : null;
      return el(
        "div",
        { class: "panel h-link-card", "data-venue": l.venue },
        el("p", { class: "muted small", text: venueName }),
        el("p", { class: "h-code-line" }, el("span", { class: "muted small", text: t("Your code") }), el("strong", { class: "h-code", text: l.code })),
        urlBox,
        el("div", { class: "row" }, el("button", { type: "button", class: "btn btn-primary", id: "copy-link", text: t("Copy link"), onclick: copy }), share),
        el("p", { class: "muted small", text: t("Bookings made through this link are credited to {code}.", { code: l.code }) }),
      );
    }),
  );
}

// A calendar feed of this host's own clients' bookings (the server takes the host from
// the session). Its address is shown once: making another stops the ones made before.
$("h-cal-make").addEventListener("click", async (ev) => {
  const btn = ev.currentTarget;
  if (!s.slug || btn.disabled) return;
  btn.disabled = true;
  try {
    const base = `${H}/venues/${s.slug}/calendar-feeds`;
    const old = await call("GET", base);
    const made = await call("POST", base, { label: t("My clients") });
    await Promise.all(old.map((f) => call("DELETE", `${base}/${f.id}`)));
    const box = el("input", { type: "text", readonly: true, value: made.url, id: "h-cal-url", class: "h-url", "aria-label": t("Your calendar address") });
    const copy = el("button", { type: "button", class: "btn btn-primary", text: t("Copy address"), onclick: async () => {
      try {
        await navigator.clipboard.writeText(made.url);
        toast(t("Calendar address copied"));
      } catch {
        box.focus();
        box.select();
      }
    } });
    $("h-cal-out").replaceChildren(box, el("div", { class: "row" }, copy));
    btn.textContent = t("Make a new address");
    box.focus();
    box.select();
  } catch (p) {
    toast(staffMessage(p));
  } finally {
    btn.disabled = false;
  }
});

setParty(s.party);
