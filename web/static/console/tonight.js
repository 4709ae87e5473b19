// Tonight: the live floor map for staff. Every table shows its state, guest, party and
// minimum; tapping one opens the side panel with what can be done to it. The public floor
// WebSocket says *that* something changed; the staff floor (names, parties) is refetched,
// debounced, on every frame so what staff see is never older than the guests' view.

import { dayLabel, localTime, money, seats, tierName } from "../api.js";
import { FloorView } from "../floor.js";
import { FloorSocket } from "../live.js";
import { staffMessage } from "./http.js";
import { createdPanel, previewPanel, repeatControls } from "./series.js";
import {
  $, busy, button, channelName, clearErrors, el, errorBox, facts, field, setError, showErrors,
  statusName, statusPill, toast,
} from "./ui.js";
import { plural, t } from "../i18n.js";

const REFETCH_MS = 150;
const STATE_TEXT = { free: t("Free"), held: t("On hold"), pending: t("Paying deposit"), booked: t("Booked"), seated: t("Seated"), blocked: t("Blocked"), unavailable: t("No price") };

const s = {
  ctx: null,
  slug: null,
  nights: [],
  day: null,
  sittingId: null,
  floor: null,
  socket: null,
  selected: null,
  panelKey: "",
  move: null, // { res, from: [ids], picked: Set }
  hosts: [],
  timer: null,
  loading: 0,
};

const firstName = (name) => (name || "").trim().split(/\s+/)[0] || "";

const view = new FloorView({
  svgEl: $("floor-svg"),
  listBody: $("list-body"),
  chips: $("area-chips"),
  onSelect: (tb) => choose(tb.id),
  canSelect: (tb) => (s.move ? tb.state === "free" || s.move.from.includes(tb.id) : true),
  annotate: (tb) => {
    const r = tb.reservation;
    if (r) return `${firstName(r.guest_name) || channelName(r.channel)} · ${r.party_size}${r.series_id ? " ↻" : ""}`;
    if (tb.state === "blocked") return t("blocked");
    if (tb.state === "unavailable") return t("no price");
    if (tb.state === "free") return t("{n} pax", { n: seats(tb) });
    return STATE_TEXT[tb.state]?.toLowerCase() || tb.state;
  },
  actionLabel: (tb, ok) => (s.move ? (ok ? t("Pick") : "—") : t("Open")),
});

// ---------- loading ------------------------------------------------------------------

export async function show(ctx, [day] = []) {
  const fresh = s.slug !== ctx.slug;
  s.ctx = ctx;
  if (fresh) {
    s.slug = ctx.slug;
    s.nights = [];
    s.hosts = [];
    s.day = null;
    closeSocket();
    ctx.api.hosts().then((h) => (s.hosts = h), () => (s.hosts = []));
  }
  if (!s.nights.length) await loadNights();
  showSetAside();
  const wanted = day && s.nights.some((n) => n.date === day) ? day : s.day || s.tonight;
  if (wanted !== s.day || !s.socket) await openNight(wanted);
  view.applyViewBox();
  if (s.fitPending && s.floor && $("floor-svg").clientWidth) {
    s.fitPending = false;
    view.fit(false);
  }
}

export function hide() {
  exitMove();
}

// Live updates the relay gave up on for this venue: their floors may be stale on guests'
// phones until one is retried (or the next change to that night goes out).
async function showSetAside() {
  const box = $("set-aside");
  let events = [];
  try {
    events = (await s.ctx.api.setAside()).filter((e) => !e.venue || e.venue === s.slug);
  } catch {
    events = [];
  }
  box.hidden = !events.length;
  if (!events.length) return;
  const nights = [...new Set(events.map((e) => e.date).filter(Boolean))].map(dayLabel);
  box.replaceChildren(
    `${plural(events.length, t("{n} live update could not be sent", { n: events.length }), t("{n} live updates could not be sent", { n: events.length }))}${nights.length ? ` (${nights.join(", ")})` : ""}: ${(events[0].last_error || t("unknown error")).split("\n")[0]}. `,
    s.ctx.manager ? button(t("Retry"), "btn-ghost btn-compact", async () => {
      for (const e of events) await s.ctx.api.retryEvent(e.id);
      toast(t("Queued again"));
      showSetAside();
    }) : "",
  );
}

async function loadNights() {
  const api = s.ctx.api;
  const upcoming = await api.nights({ days: 1 });
  const tonight = upcoming[0]?.date;
  if (!tonight) return;
  const from = new Date(`${tonight}T00:00:00Z`);
  from.setUTCDate(from.getUTCDate() - 7);
  s.nights = await api.nights({ from: from.toISOString().slice(0, 10), days: 68 });
  s.tonight = tonight;
  $("night-select").replaceChildren(
    ...s.nights.map((n) => {
      const bits = [n.date === tonight ? `${t("Tonight")} · ${dayLabel(n.date)}` : dayLabel(n.date)];
      if (n.title) bits.push(n.title);
      if (n.closed) bits.push("closed");
      return new Option(bits.join(" · "), n.date);
    }),
  );
}

async function openNight(day) {
  if (!day) return;
  exitMove();
  s.day = day;
  s.selected = null;
  s.panelKey = "";
  s.fitPending = true;
  $("night-select").value = day;
  const idx = s.nights.findIndex((n) => n.date === day);
  $("night-prev").disabled = idx <= 0;
  $("night-next").disabled = idx >= s.nights.length - 1;
  const night = s.nights[idx];
  const sittings = night?.sittings || [];
  if (!sittings.some((x) => x.id === s.sittingId)) s.sittingId = sittings[0]?.id || null;
  const ss = $("sitting-select");
  ss.hidden = sittings.length < 2;
  ss.replaceChildren(...sittings.map((x) => new Option(`${x.name} ${localTime(x.starts_local)}–${localTime(x.ends_local)}`, x.id)));
  if (s.sittingId) ss.value = s.sittingId;
  // Keep the night in the address (a reload stays on it), unless staff moved on meanwhile.
  const hash = `#/tonight/${day}`;
  const here = location.hash === "" || location.hash.startsWith("#/tonight");
  if (here && location.hash !== hash) history.replaceState(null, "", hash);
  await refetch();
  connect();
}

function connect() {
  closeSocket();
  if (!s.sittingId) return;
  s.socket = new FloorSocket(s.slug, s.sittingId, {
    onSnapshot: () => scheduleRefetch(),
    onDelta: () => scheduleRefetch(),
    onStatus: (st) => {
      const box = $("live-status");
      box.dataset.state = st;
      box.querySelector(".live-text").textContent =
        { live: t("Live"), connecting: t("Connecting…"), reconnecting: t("Reconnecting…"), syncing: t("Syncing…"), gone: t("Offline") }[st] || st;
    },
  });
}

function closeSocket() {
  s.socket?.close();
  s.socket = null;
  $("live-status").dataset.state = "idle";
}

function scheduleRefetch() {
  clearTimeout(s.timer);
  s.timer = setTimeout(refetch, REFETCH_MS);
}

async function refetch() {
  const day = s.day;
  const ticket = ++s.loading;
  let floor;
  try {
    floor = await s.ctx.api.floor(day, s.sittingId);
  } catch (p) {
    if (ticket === s.loading) toast(staffMessage(p));
    return;
  }
  if (ticket !== s.loading || day !== s.day) return; // a newer load superseded this one
  s.floor = floor;
  view.setFloor(floor);
  $("view-tonight").dataset.night = day; // which night the map shows (tests wait on it)
  // Staff want the whole room at once (the guest page starts zoomed for phones). A map
  // laid out while hidden can't be fitted yet: `show` does it when it appears.
  if (s.fitPending && $("floor-svg").clientWidth) {
    s.fitPending = false;
    view.fit(false);
  }
  renderTotals(floor);
  renderService(day);
  const n = floor.night;
  $("night-closed").hidden = !n.closed;
  $("night-closed").textContent = n.closed ? (n.closed_reason ? t("Closed to bookings: {reason}", { reason: n.closed_reason }) : t("Closed to bookings")) : "";
  $("h-tonight").textContent = day === s.tonight ? t("Tonight") : dayLabel(day, "long");
  if (s.move) {
    const still = s.move.from.every((id) => view.get(id)?.reservation?.id === s.move.res.id);
    if (!still) {
      exitMove();
      toast(t("That booking changed meanwhile; the move was called off."));
    }
  }
  renderSide();
}

function renderTotals(floor) {
  const tb = floor.totals;
  const cur = floor.currency;
  const item = (k, v, sub) => el("div", {}, el("dt", { text: k }), el("dd", {}, el("strong", { text: v }), sub ? el("span", { class: "muted", text: ` ${sub}` }) : null));
  $("totals").replaceChildren(
    item(t("Guests"), String(tb.guests), `/ ${tb.seats_total} seats`),
    item(t("Tables booked"), String(tb.tables_booked), `/ ${tb.tables_total}`),
    item(t("Reservations"), String(tb.reservations)),
    item(t("Blocked"), String(tb.tables_blocked)),
    item(t("Minimum spend"), money(tb.minimum_total, cur)),
  );
}

// A restaurant's night: each sitting's covers and tables used and the covers starting in
// each pacing slot, refetched with the floor (so they move live with every booking).
async function renderService(day) {
  let svc;
  try {
    svc = await s.ctx.api.service(day);
  } catch {
    $("service").hidden = true;
    return;
  }
  if (day !== s.day) return;
  const sittings = svc.sittings.filter((x) => x.covers_limit != null);
  $("service").hidden = !sittings.length;
  $("service").replaceChildren(
    ...sittings.map((x) => {
      const full = x.covers >= x.covers_limit;
      const slots = x.slots.filter((p) => p.covers > 0 || x.slots.length <= 4);
      return el("div", { class: "svc", "data-sitting": x.id },
        el("p", { class: `svc-head${full ? " full" : ""}` },
          el("strong", { text: `${x.name} ${x.starts_local}` }), " ",
          el("span", { class: "svc-covers", text: `${x.covers}/${x.covers_limit} guests` }), ", ",
          el("span", { class: "svc-tables", text: `${x.tables_used}/${x.tables_total} tables` })),
        slots.length && x.pacing_covers != null
          ? el("ul", { class: "svc-slots", "aria-label": t("Covers starting per slot, {name}", { name: x.name }) },
            ...slots.map((p) => el("li", { class: p.covers >= p.limit ? "full" : "" }, `${p.local_time} ${p.covers}/${p.limit}`)))
          : null,
        x.parties.length
          ? el("details", { class: "svc-parties" },
            el("summary", { text: plural(x.parties.length, t("{n} party: times and tables", { n: x.parties.length }), t("{n} parties: times and tables", { n: x.parties.length })) }),
            el("ul", {},
              ...x.parties.map((p) => el("li", {}, `${p.starts_local}–${p.ends_local} ${p.guest_name || t("Guest")} · ${p.party_size} · ${p.tables.join(" + ")}`))))
          : null,
      );
    }),
  );
}

// ---------- selection & side panel ----------------------------------------------------

function choose(id) {
  if (s.move) {
    const tb = view.get(id);
    if (s.move.from.includes(id)) return;
    if (s.move.picked.has(id)) s.move.picked.delete(id);
    else if (tb.state === "free") s.move.picked.add(id);
    view.setMarked([...s.move.picked]);
    renderMoveBar();
    return;
  }
  s.selected = id;
  s.panelKey = "";
  view.setSelected(id);
  renderSide(true);
  // One column (portrait tablet, phone): the panel is below the map, so bring it up.
  const side = $("side");
  if (side.getBoundingClientRect().top > window.innerHeight - 120) side.scrollIntoView({ block: "start" });
}

function keyOf(tb) {
  const r = tb?.reservation;
  return tb ? `${tb.id}|${tb.state}|${r?.id}|${r?.status}|${r?.version}|${tb.block_reason}|${tb.minimum}` : "none";
}

function renderSide(force = false) {
  const tb = s.selected ? view.get(s.selected) : null;
  if (s.selected && !tb) s.selected = null;
  const key = tb ? keyOf(tb) : `overview|${s.floor?.generated_at}`;
  if (!force && key === s.panelKey) return;
  const changedUnderUs = !force && tb && s.panelKey && s.panelKey.split("|")[0] === tb.id;
  s.panelKey = key;
  const body = $("side-body");
  body.replaceChildren(...(tb ? tablePanel(tb) : overview()));
  if (changedUnderUs) {
    body.prepend(el("p", { class: "c-note", role: "status", text: t("This table just changed. Showing the latest.") }));
  }
}

function overview() {
  const booked = view.ordered().filter((tb) => tb.reservation);
  const rows = booked.map((tb) =>
    el(
      "li",
      {},
      el(
        "button",
        { type: "button", class: "ov-row", "data-table-id": tb.id, onclick: () => choose(tb.id) },
        el("span", { class: "ov-label", text: tb.label }),
        el("span", { class: "ov-name", text: tb.reservation.guest_name || channelName(tb.reservation.channel) }),
        el("span", { class: "ov-party", text: `${tb.reservation.party_size}` }),
        el("span", { class: `ov-status st-${tb.reservation.status}`, text: statusName(tb.reservation.status) }),
      ),
    ),
  );
  return [
    el("h2", { id: "side-title", class: "side-title", text: t("Bookings on the floor") }),
    el("p", { class: "muted small", text: s.ctx.floor ? t("Tap a table to seat, move or book it.") : t("Tap a table to see who is on it.") }),
    rows.length ? el("ul", { class: "ov-list" }, ...rows) : el("p", { class: "muted", text: t("No bookings yet for this night.") }),
  ];
}

function tablePanel(tb) {
  const cur = s.floor.currency;
  const head = el(
    "header",
    { class: "side-head" },
    el("h2", { id: "side-title", text: t("Table {label}", { label: tb.label }) }),
    el("span", { class: `tier-chip tier-${tb.tier}`, text: tierName(tb.tier) }),
    el("span", { class: `state-pill st-${tb.state}`, id: "side-state", text: STATE_TEXT[tb.state] || tb.state }),
    el("button", { type: "button", class: "icon-btn", "aria-label": t("Close"), text: "✕", onclick: () => deselect() }),
  );
  // The table's price for this night as the rules set it now; a booking keeps the price it
  // was made at (its own lines below say so), and the two can differ.
  const meta = el("p", { class: "muted small side-meta", text: tb.deposit ? t("{area} · seats {seats} · price now: minimum {minimum}, deposit {deposit}", { area: view.areaName(tb), seats: seats(tb), minimum: money(tb.minimum, cur), deposit: money(tb.deposit, cur) }) : t("{area} · seats {seats} · price now: minimum {minimum}", { area: view.areaName(tb), seats: seats(tb), minimum: money(tb.minimum, cur) }) });
  const out = [head, meta];
  if (tb.reservation) out.push(...reservationPanel(tb));
  else if (tb.state === "blocked") out.push(...blockedPanel(tb));
  else if (tb.state === "free") out.push(...freePanel(tb));
  else if (tb.state === "unavailable") out.push(el("p", { class: "c-note", text: t("Not bookable: {reason}. Fix it under Rules & pricing.", { reason: tb.unavailable_reason }) }));
  else out.push(el("p", { class: "c-note", text: t("A guest is booking this table online right now.") }));
  return out;
}

function deselect() {
  s.selected = null;
  view.setSelected(null);
  renderSide(true);
}

// ----- a reservation on the table

function reservationPanel(tb) {
  const r = tb.reservation;
  const cur = s.floor.currency;
  const err = errorBox("side-error");
  const list = facts([
    [t("Guest"), r.guest_name || "—", "strong"],
    [t("Party"), String(r.party_size)],
    [t("Status"), statusName(r.status), `st-${r.status}`],
    [t("Channel"), channelName(r.channel)],
    [t("Minimum (as booked)"), money(r.minimum, cur)],
    [t("Deposit (as booked)"), r.deposit ? money(r.deposit, cur) : t("none")],
    r.notes ? [t("Notes"), r.notes] : null,
    r.series_id ? [t("Standing"), t("Part of a standing reservation")] : null,
  ]);
  const joined = view.all().filter((o) => o.reservation?.id === r.id).map((o) => o.label);
  if (joined.length > 1) list.append(el("div", {}, el("dt", { text: t("Tables") }), el("dd", { text: joined.join(" + ") })));
  const out = [list, err];
  if (!s.ctx.floor) {
    out.push(el("p", { class: "muted small", text: t("Read-only for your role.") }));
  } else {
    const act = (label, action, cls) =>
      button(label, cls, (ev) => busy(ev.currentTarget, () => doAction(r, action, {}, err)), { "data-action": action });
    const row = el("div", { class: "side-actions" });
    if (r.status === "confirmed") row.append(act(t("Seat"), "seat", "btn-primary btn-wide"), act(t("No-show"), "no-show", "btn-ghost"));
    if (r.status === "seated") row.append(act(t("Complete"), "complete", "btn-primary btn-wide"));
    if (["confirmed", "seated"].includes(r.status)) {
      row.append(button(t("Move / join"), "btn-ghost", () => startMove(tb), { "data-action": "move" }));
    }
    if (["confirmed", "pending_payment", "hold"].includes(r.status)) {
      row.append(button(t("Cancel booking"), "btn-danger-ghost", () => confirmCancel(r, row, err), { "data-action": "cancel" }));
    }
    out.push(row);
  }
  out.push(el("p", { class: "small" }, el("a", { href: `#/reservations/${r.id}`, text: t("Full details, history & payments →") })));
  if (r.series_id) out.push(el("p", { class: "small" }, el("a", { href: `#/series/${r.series_id}`, id: "series-link", text: t("The standing reservation →") })));
  return out;
}

async function doAction(r, action, extra, err) {
  setError(err, "");
  try {
    await s.ctx.api.act(r.id, action, { version: r.version, ...extra });
    toast({ seat: t("Seated"), complete: t("Completed: the table is free"), "no-show": t("Marked as no-show"), cancel: t("Booking cancelled") }[action] || t("Done"));
    s.panelKey = "";
  } catch (p) {
    setError(err, staffMessage(p));
  }
  await refetch();
  const box = $("side-error");
  if (box && err.textContent) setError(box, err.textContent);
}

function confirmCancel(r, row, err) {
  const reason = el("textarea", { id: "cancel-reason", name: "reason", rows: 2, maxlength: 300, required: true });
  const box = el(
    "form",
    { class: "confirm-box", novalidate: true },
    el("p", { class: "strong", text: r.guest_name ? t("Cancel {guest}? The guest is told, and refunded by the venue's policy.", { guest: r.guest_name }) : t("Cancel this booking? The guest is told, and refunded by the venue's policy.") }),
    field(t("Reason (the guest sees it)"), reason, { name: "reason" }),
    el(
      "div",
      { class: "row" },
      el("button", { type: "submit", class: "btn btn-danger", id: "cancel-confirm", text: t("Yes, cancel booking") }),
      button(t("Keep booking"), "btn-ghost", () => box.replaceWith(row)),
    ),
  );
  box.addEventListener("submit", (ev) => {
    ev.preventDefault();
    clearErrors(box);
    if (!reason.value.trim()) {
      showErrors(box, [{ field: "reason", message: t("Say why: the guest sees this.") }]);
      return;
    }
    busy($("cancel-confirm"), () => doAction(r, "cancel", { reason: reason.value.trim() }, err));
  });
  row.replaceWith(box);
  reason.focus();
}

// ----- move / join

function startMove(tb) {
  const r = tb.reservation;
  s.move = { res: r, from: view.all().filter((o) => o.reservation?.id === r.id).map((o) => o.id), picked: new Set() };
  view.setMarked([]);
  view.refreshAll();
  $("move-bar").hidden = false;
  renderMoveBar();
}

function renderMoveBar(message) {
  if (!s.move) return;
  const { res, from, picked } = s.move;
  const labels = (ids) => ids.map((id) => view.get(id)?.label).join(" + ");
  const guest = res.guest_name || t("booking");
  $("move-text").textContent = message ||
    (picked.size
      ? (picked.size > 1 ? t("Move {guest} ({party}) from {from} to {to} (joined)", { guest, party: res.party_size, from: labels(from), to: labels([...picked]) }) : t("Move {guest} ({party}) from {from} to {to}", { guest, party: res.party_size, from: labels(from), to: labels([...picked]) }))
      : t("Moving {guest} ({party}) from {from}: tap free table(s) on the map; several join them.", { guest, party: res.party_size, from: labels(from) }));
  $("move-bar").classList.toggle("has-error", Boolean(message));
  $("move-confirm").disabled = picked.size === 0;
}

function exitMove() {
  if (!s.move) return;
  s.move = null;
  $("move-bar").hidden = true;
  view.setMarked([]);
  view.refreshAll();
}

async function confirmMove() {
  const m = s.move;
  if (!m || !m.picked.size) return;
  const target = [...m.picked];
  try {
    await s.ctx.api.act(m.res.id, "move", { table_ids: target, version: m.res.version });
  } catch (p) {
    renderMoveBar(staffMessage(p));
    await refetch();
    return;
  }
  exitMove();
  toast(t("Moved to {tables}", { tables: target.map((id) => view.get(id)?.label).join(" + ") }));
  s.selected = target[0];
  view.setSelected(target[0]);
  await refetch();
  renderSide(true);
}

// ----- a free table: phone / walk-in booking, block

function freePanel(tb) {
  if (!s.ctx.floor) return [el("p", { class: "muted small", text: t("Free. Read-only for your role.") })];
  const form = bookingForm(tb);
  const reason = el("input", { id: "block-reason", name: "reason", type: "text", maxlength: 300, placeholder: t("e.g. private hire") });
  const berr = errorBox("block-error");
  const block = el(
    "details",
    { class: "block-box" },
    el("summary", { text: t("Block this table for the night") }),
    field(t("Reason"), reason, { name: "reason" }),
    berr,
    button(t("Block table"), "btn-ghost", (ev) =>
      busy(ev.currentTarget, async () => {
        if (!reason.value.trim()) return setError(berr, t("Give a reason for the block."));
        try {
          await s.ctx.api.block(s.day, { table_ids: [tb.id], reason: reason.value.trim() });
          toast(t("Table {label} blocked", { label: tb.label }));
        } catch (p) {
          setError(berr, staffMessage(p));
        }
        return refetch();
      }), { id: "block-btn" }),
  );
  return [form, block];
}

function bookingForm(tb) {
  let channel = "phone";
  const tabs = el("div", { class: "seg-tabs", role: "group", "aria-label": t("Booking type") });
  const tab = (value, text) => {
    const b = el("button", { type: "button", "aria-pressed": String(value === channel), "data-channel": value, text });
    b.addEventListener("click", () => {
      channel = value;
      tabs.querySelectorAll("button").forEach((x) => x.setAttribute("aria-pressed", String(x === b)));
      seatRow.hidden = channel !== "walk_in";
      seatNow.checked = channel === "walk_in";
      repeat.row.hidden = channel === "walk_in";
      if (channel === "walk_in") repeat.repeat.value = "";
      repeat.repeat.dispatchEvent(new Event("change"));
    });
    return b;
  };
  tabs.append(tab("phone", t("Phone booking")), tab("walk_in", t("Walk-in")));
  const name = el("input", { id: "bk-name", name: "guest.name", type: "text", autocomplete: "off", maxlength: 200, required: true });
  const phone = el("input", { id: "bk-phone", name: "guest.phone", type: "tel", inputmode: "tel", autocomplete: "off", maxlength: 40 });
  const email = el("input", { id: "bk-email", name: "guest.email", type: "email", inputmode: "email", autocomplete: "off", maxlength: 254 });
  const party = el("input", { id: "bk-party", name: "party_size", type: "number", min: 1, max: 500, value: String(Math.max(tb.min_party, Math.min(2, tb.max_party))), inputmode: "numeric" });
  const notes = el("textarea", { id: "bk-notes", name: "notes", rows: 2, maxlength: 1000 });
  const host = el("select", { id: "bk-host", name: "host_id" }, new Option(t("No host"), ""), ...s.hosts.map((h) => new Option(`${h.name} (${h.code})`, h.id)));
  const seatNow = el("input", { id: "bk-seat", type: "checkbox" });
  const seatRow = el("label", { class: "check", hidden: true }, seatNow, el("span", { text: t("Seat them now") }));
  const repeat = repeatControls(s.day);
  const err = errorBox("book-error");
  const submit = el("button", { type: "submit", class: "btn btn-primary btn-block", id: "book-submit", text: t("Book by phone") });
  repeat.repeat.addEventListener("change", () => {
    submit.textContent = channel === "walk_in" ? t("Book walk-in") : repeat.repeat.value ? t("Preview dates") : t("Book by phone");
    form.querySelector("#series-preview")?.remove();
  });
  const form = el(
    "form",
    { class: "book-form", novalidate: true, id: "book-form" },
    tabs,
    field(t("Guest name"), name, { name: "guest.name" }),
    el("div", { class: "two" }, field(t("Party"), party, { help: t("table seats {seats}", { seats: seats(tb) }), name: "party_size" }), field(t("Phone"), phone, { name: "guest.phone" })),
    s.hosts.length
      ? el("div", { class: "two" }, field(t("Email"), email, { name: "guest.email" }), field(t("Host"), host, { name: "host_id" }))
      : field(t("Email"), email, { name: "guest.email" }),
    field(t("Notes"), notes, { name: "notes" }),
    repeat.row,
    seatRow,
    err,
    submit,
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    clearErrors(form);
    setError(err, "");
    const problems = [];
    if (!name.value.trim()) problems.push({ field: "guest.name", message: t("Enter the guest's name.") });
    const n = Number(party.value);
    if (!Number.isInteger(n) || n < 1) problems.push({ field: "party_size", message: t("Enter how many guests.") });
    if (problems.length) return showErrors(form, problems);
    const body = {
      date: s.day,
      table_ids: [tb.id],
      party_size: n,
      channel,
      guest: { name: name.value.trim() },
      sitting_id: s.sittingId || undefined,
      seat_now: channel === "walk_in" && seatNow.checked,
    };
    if (phone.value.trim()) body.guest.phone = phone.value.trim();
    if (email.value.trim()) body.guest.email = email.value.trim();
    if (notes.value.trim()) body.notes = notes.value.trim();
    if (host.value) body.host_id = host.value;
    const rule = channel === "phone" ? repeat.rule() : null;
    if (rule) return previewSeries(form, submit, err, body, rule);
    return busy(submit, async () => {
      try {
        const res = await s.ctx.api.book(body);
        toast(t("Booked {guest} on {table}", { guest: res.guest_name, table: tb.label }));
        s.panelKey = "";
      } catch (p) {
        const left = p.errors.length ? showErrors(form, p.errors) : [];
        if (!p.errors.length || left.length) setError(err, staffMessage(p));
      }
      await refetch();
    });
  });
  return form;
}

// A repeating phone booking: the preview of every date, then the series.
function previewSeries(form, submit, err, booking, rule) {
  const { date: _, channel: __, seat_now: ___, ...rest } = booking;
  const body = { ...rest, rule };
  return busy(submit, async () => {
    form.querySelector("#series-preview")?.remove();
    try {
      const preview = await s.ctx.api.previewSeries(body);
      form.append(previewPanel(s.ctx, body, preview, async (made) => {
        form.querySelector("#series-preview")?.replaceWith(createdPanel(made));
        await refetch();
      }));
    } catch (p) {
      const left = p.errors.length ? showErrors(form, p.errors) : [];
      if (!p.errors.length || left.length) setError(err, staffMessage(p));
    }
  });
}

// ----- a blocked table

function blockedPanel(tb) {
  const err = errorBox("side-error");
  const out = [facts([[t("Blocked"), tb.block_reason || t("no reason given")]]), err];
  if (s.ctx.floor) {
    out.push(button(t("Unblock table"), "btn-primary btn-block", (ev) =>
      busy(ev.currentTarget, async () => {
        try {
          await s.ctx.api.unblock(s.day, { table_ids: [tb.id] });
          toast(t("Table {label} is back on sale", { label: tb.label }));
        } catch (p) {
          setError(err, staffMessage(p));
        }
        await refetch();
      }), { id: "unblock-btn" }));
  }
  return out;
}

// ---------- controls -------------------------------------------------------------------

function step(delta) {
  const idx = s.nights.findIndex((n) => n.date === s.day) + delta;
  if (s.nights[idx]) openNight(s.nights[idx].date);
}

$("night-select").addEventListener("change", (ev) => openNight(ev.target.value));
$("night-prev").addEventListener("click", () => step(-1));
$("night-next").addEventListener("click", () => step(1));
$("sitting-select").addEventListener("change", (ev) => {
  s.sittingId = ev.target.value;
  refetch().then(connect);
});
$("move-cancel").addEventListener("click", exitMove);
$("move-confirm").addEventListener("click", (ev) => busy(ev.currentTarget, confirmMove));
$("zoom-in").addEventListener("click", () => view.zoomBy(1.4));
$("zoom-out").addEventListener("click", () => view.zoomBy(1 / 1.4));
$("zoom-fit").addEventListener("click", () => view.fit());
for (const [btn, showMap] of [["show-map", true], ["show-list", false]]) {
  $(btn).addEventListener("click", () => {
    $("map-view").hidden = !showMap;
    $("list-view").hidden = showMap;
    $("show-map").setAttribute("aria-pressed", String(showMap));
    $("show-list").setAttribute("aria-pressed", String(!showMap));
    if (showMap) view.applyViewBox();
  });
}
document.addEventListener("keydown", (ev) => {
  if (ev.key === "Escape" && s.move) exitMove();
});
