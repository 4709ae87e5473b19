// The guest booking page: night -> party size -> live floor -> hold -> details -> booked.
// Flow and state live here; talking to the API is api.js, the map is floor.js, the
// socket is live.js, the hold's persistence is store.js.

import {
  Problem, api, applyBrand, dayLabel, dayPieces, el, fillFacts, humanMessage,
  localTime, money, nightCardText, seats, serverNow, stateName, tierName, timeRange, toast,
} from "./api.js";
import { FloorView } from "./floor.js";
import { showConfirmation, wireHoldForm } from "./hold-form.js";
import { plural, t } from "./i18n.js";
import { FloorSocket } from "./live.js";
import { clearHold, loadHold, saveHold } from "./store.js";

const $ = (id) => document.getElementById(id);
const body = document.body;
const slug = body.dataset.slug;
const client = api(slug);
const hostCode = new URLSearchParams(location.search).get("host") || undefined;

const state = {
  venue: null,
  nights: [],
  night: null,
  sittingId: null,
  party: 2,
  socket: null,
  selectedId: null,
  hold: null, // {id, token, expires_at, table_id, date, sitting_id, party, reservation}
  busy: false,
  countdown: null,
  restoreTableId: null,
};

applyBrand(body.dataset.brand);

const view = new FloorView({
  svgEl: $("floor-svg"),
  listBody: $("list-body"),
  chips: $("area-chips"),
  onSelect: (t) => openSheet(t.id),
});

// ---------- live status ------------------------------------------------------------------

const LIVE_TEXT = {
  idle: "",
  connecting: t("Connecting…"),
  live: t("Live"),
  syncing: t("Updating…"),
  reconnecting: t("Reconnecting…"),
  gone: t("Unavailable"),
};
function setLive(s) {
  const node = $("live-status");
  node.dataset.state = s;
  node.querySelector(".live-text").textContent = LIVE_TEXT[s] ?? "";
}

// ---------- step 1: nights ---------------------------------------------------------------

function nightStatus(n) {
  if (n.closed) return { ok: false, text: n.closed_reason || t("Closed") };
  // Sold out but still open for booking: the guest may look, and join the waitlist
  // (``bookable`` is false here: it also says a table is free).
  if (n.sold_out && Date.parse(n.booking_opens_at) <= serverNow() && Date.parse(n.booking_closes_at) > serverNow()) {
    return { ok: true, text: t("Sold out · waitlist"), few: true };
  }
  // The server knows the venue's cutoff and booking window; the clock check covers a page
  // left open past the cutoff.
  if (n.bookable === false || Date.parse(n.booking_closes_at) <= serverNow()) {
    const notYet = Date.parse(n.booking_opens_at) > serverNow();
    return { ok: false, text: notYet ? t("Not open yet") : n.sold_out ? t("Sold out") : t("Booking closed") };
  }
  const few = n.tables_free <= 3;
  return { ok: true, text: tablesLeft(n.tables_free), few };
}

function tablesLeft(n) {
  return plural(n, t("{n} table left", { n }), t("{n} tables left", { n }));
}

function renderNights() {
  const box = $("nights");
  box.setAttribute("aria-busy", "false");
  if (!state.nights.length) {
    box.replaceChildren(el("p", { class: "muted", text: t("No nights are open for booking yet.") }));
    return;
  }
  const list = el("ul", { class: "night-list", role: "list" });
  for (const n of state.nights) {
    const st = nightStatus(n);
    const d = dayPieces(n.date);
    const title = n.title || (n.event_type !== "regular" ? n.event_type : "");
    const locked = !!state.hold && state.hold.date !== n.date;
    // Named by its visible text (spaces between the pieces), so voice control can say
    // what it sees ("Tue 1 Dec"); no aria-label that would differ from it.
    const btn = el(
      "button",
      {
        type: "button",
        class: `night${st.ok ? "" : " unavailable"}${st.few ? " few" : ""}${locked ? " locked" : ""}`,
        "data-date": n.date,
        "aria-pressed": state.night?.date === n.date ? "true" : "false",
        disabled: !st.ok || locked,
        onclick: () => selectNight(n.date),
      },
      ...nightCardText(d, title, timeRange(n.opens_local, n.closes_local), st.text),
    );
    list.append(el("li", {}, btn));
  }
  box.replaceChildren(list);
}

function renderSittings() {
  const fs = $("sittings");
  const sittings = state.night?.sittings || [];
  fs.hidden = sittings.length < 2;
  $("sitting-options").replaceChildren(
    ...sittings.map((s) =>
      el(
        "label",
        { class: "seg" },
        el("input", {
          type: "radio",
          name: "sitting",
          value: s.id,
          checked: s.id === state.sittingId,
          disabled: !!state.hold,
          onchange: () => selectSitting(s.id),
        }),
        el("span", {}, el("strong", { text: s.name }), ` ${timeRange(s.starts_local, s.ends_local)}`),
      ),
    ),
  );
}

function selectNight(date, sittingId) {
  if (state.hold && state.hold.date !== date) {
    toast(t("Finish or release your held table first."));
    return;
  }
  const night = state.nights.find((n) => n.date === date);
  if (!night) return;
  state.night = night;
  document.querySelectorAll(".night").forEach((b) => b.setAttribute("aria-pressed", b.dataset.date === date ? "true" : "false"));
  const sid = sittingId || night.sittings[0]?.id;
  renderSittings();
  selectSitting(sid);
}

function selectSitting(sid) {
  if (!sid) return;
  if (state.sittingId !== sid) closeSheet();
  state.sittingId = sid;
  renderSittings();
  connectFloor();
}

// ---------- step 2: party size -----------------------------------------------------------

function setParty(n) {
  const min = state.venue?.min_party ?? 1;
  const max = state.venue?.max_party ?? 20;
  state.party = Math.min(Math.max(n, min), max);
  $("party-size").textContent = String(state.party);
  $("party-minus").disabled = state.party <= min || !!state.hold;
  $("party-plus").disabled = state.party >= max || !!state.hold;
  $("party-range").textContent = t("{lo}–{hi} guests", { lo: min, hi: max });
  view.setParty(state.party);
  if (state.selectedId && !state.hold) refreshSheet();
  updateWaitlist();
}

$("party-minus").addEventListener("click", () => setParty(state.party - 1));
$("party-plus").addEventListener("click", () => setParty(state.party + 1));

// ---------- step 3: the live floor -------------------------------------------------------

function connectFloor() {
  state.socket?.close();
  $("floor-hint").textContent = t("Loading the floor…");
  $("floor-hint").hidden = false;
  state.socket = new FloorSocket(slug, state.sittingId, {
    onSnapshot: (floor) => {
      $("floor-ready").hidden = false; // visible first, so the map can measure itself
      view.setFloor(floor);
      showFloor(floor.night);
      afterFloorChange();
      if (state.restoreTableId) {
        const id = state.restoreTableId;
        state.restoreTableId = null;
        if (state.hold) showHeld(id);
      }
    },
    onDelta: (d) => {
      if (d.sitting_id && d.sitting_id !== state.sittingId) return;
      view.applyDelta(d.tables || []);
      if (typeof d.tables_free === "number") updateFreeCount(d.tables_free);
      afterFloorChange();
    },
    onStatus: setLive,
  });
}

function showFloor(night) {
  $("floor-ready").hidden = false;
  const n = state.nights.find((x) => x.date === night.date);
  if (n) Object.assign(n, { tables_free: night.tables_free, sold_out: night.sold_out });
  updateFreeCount(night.tables_free);
}

function updateFreeCount(free) {
  const n = state.night;
  if (!n) return;
  const title = n.title ? `${n.title} · ` : "";
  const freeText = t("{n} free", { n: free });
  $("floor-hint").textContent = `${title}${dayLabel(n.date, "long")} · ${timeRange(n.opens_local, n.closes_local)} · ${freeText}`;
  const btn = document.querySelector(`.night[data-date="${n.date}"] .n-status`);
  if (btn) btn.textContent = free > 0 ? tablesLeft(free) : t("Sold out");
}

function setMode(mode) {
  const map = mode === "map";
  $("map-view").hidden = !map;
  $("list-view").hidden = map;
  $("show-map").setAttribute("aria-pressed", String(map));
  $("show-list").setAttribute("aria-pressed", String(!map));
  $("area-chips").hidden = !map;
  if (map) view.applyViewBox();
}
$("show-map").addEventListener("click", () => setMode("map"));
$("show-list").addEventListener("click", () => setMode("list"));
$("zoom-in").addEventListener("click", () => view.zoomBy(1.5));
$("zoom-out").addEventListener("click", () => view.zoomBy(1 / 1.5));
$("zoom-fit").addEventListener("click", () => view.fit());

// ---------- step 4: the details sheet, holding -------------------------------------------

let returnFocus = null;

function openSheet(id) {
  if (state.hold && state.hold.table_id !== id) {
    toast(t("You're holding a table already — finish or release it first."));
    showHeld(state.hold.table_id);
    return;
  }
  returnFocus = document.activeElement;
  state.selectedId = id;
  view.setSelected(id);
  const sheet = $("sheet");
  sheet.hidden = false;
  body.classList.add("sheet-open");
  $("sheet-error").hidden = true;
  if (state.hold) {
    showHeld(id);
    return;
  }
  $("sheet-held").hidden = true;
  $("sheet-choose").hidden = false;
  $("sheet-close").hidden = false;
  refreshSheet();
  explainPrice(id);
  $("hold-btn").focus({ preventScroll: true });
  revealAboveSheet(id);
}

// On a phone the sheet covers the lower part of the screen. Keep the chosen table in
// sight between the top bar and the sheet: bring it into the map's view, then scroll the
// page (its bottom padding grows with the sheet, so there is always room). Again whenever
// the sheet changes height (the price explanation arrives, the hold form opens).
function revealAboveSheet(id) {
  requestAnimationFrame(() => {
    const sheet = $("sheet");
    if (sheet.hidden || $("map-view").hidden || state.selectedId !== id) return;
    view.ensureVisible(id, false);
    const r = view.tableRect(id);
    if (!r) return;
    const s = sheet.getBoundingClientRect();
    if (window.innerWidth >= 900) {
      // The sheet floats over the map's right-hand corner: slide the map left under it.
      const hidden = r.right > s.left - 8 && r.bottom > s.top - 8;
      const map = $("floor-svg").getBoundingClientRect();
      if (hidden) view.panBy((map.left + Math.min(map.right, s.left)) / 2 - (r.left + r.right) / 2, 0);
      return;
    }
    const top = document.querySelector(".topbar").getBoundingClientRect().bottom;
    const bottom = s.top;
    if (r.top >= top + 8 && r.bottom <= bottom - 8) return;
    const middle = (top + bottom) / 2;
    window.scrollBy({ top: (r.top + r.bottom) / 2 - middle, behavior: "instant" });
  });
}

// Let the page scroll far enough that nothing is trapped behind the open sheet.
new ResizeObserver(([entry]) => {
  const h = $("sheet").hidden ? 0 : entry.target.getBoundingClientRect().height;
  document.documentElement.style.setProperty("--sheet-h", `${Math.round(h)}px`);
  if (h && state.selectedId) revealAboveSheet(state.selectedId);
}).observe($("sheet"));

function closeSheet() {
  if (state.hold) return; // the held form stays until booked or released
  $("sheet").hidden = true;
  body.classList.remove("sheet-open");
  const id = state.selectedId;
  state.selectedId = null;
  view.setSelected(null);
  if (id && returnFocus?.isConnected) returnFocus.focus({ preventScroll: true });
}

$("sheet-close").addEventListener("click", () => {
  if (state.hold) {
    toast(t("Your table stays held while you finish. Release it if you've changed your mind."));
    return;
  }
  closeSheet();
});
document.addEventListener("keydown", (ev) => {
  if (ev.key === "Escape" && !$("sheet").hidden && !state.hold) closeSheet();
});

function fillSheetFacts(tb) {
  $("sheet-title").textContent = t("Table {label}", { label: tb.label });
  const chip = $("sheet-tier");
  chip.textContent = tierName(tb.tier);
  chip.className = `tier-chip tier-${tb.tier}`;
  const mine = state.hold?.table_id === tb.id;
  fillFacts($("sheet-facts"), [
    [t("Area"), view.areaName(tb) || "—"],
    [t("Seats"), t("{n} guests", { n: seats(tb) })],
    [t("Minimum spend"), money(tb.minimum, view.currency), "strong"],
    [t("Deposit"), tb.deposit > 0 ? t("{amount} on booking", { amount: money(tb.deposit, view.currency) }) : t("No deposit")],
  ]);
  const pill = $("sheet-state");
  pill.textContent = mine ? t("Held for you") : view.fits(tb) || tb.state !== "free" ? stateName(tb.state) : t("Doesn't fit");
  pill.className = `state-pill st-${mine ? "mine" : tb.state}`;
}

// The price's story (base, weekday, event, demand, last-minute...), so a guest sees why a
// headliner Saturday costs more. Shown only while the sheet is still on the same table.
async function explainPrice(id) {
  const box = $("why-price");
  box.hidden = true;
  box.open = false;
  try {
    const q = await client.quote(state.night.date, id, state.sittingId);
    if (state.selectedId !== id) return;
    const lines = q.lines.map((line) => {
      const delta = line.kind === "base" ? money(line.total_after, q.currency) : signed(line.delta, q.currency);
      return el("li", {}, el("span", { text: line.label || line.kind }), el("span", { class: "num", text: delta }));
    });
    if (q.deposit > 0) {
      lines.push(el("li", { class: "deposit" }, el("span", { text: t("Deposit on booking") }), el("span", { class: "num", text: money(q.deposit, q.currency) })));
    }
    $("why-lines").replaceChildren(...lines);
    box.hidden = false;
  } catch {
    box.hidden = true; // the explanation is a nicety: the floor already shows the price
  }
}

function signed(amount, currency) {
  return `${amount < 0 ? "−" : "+"}${money(Math.abs(amount), currency)}`;
}

/** Re-check the open sheet against the live floor: the table may just have gone. */
function refreshSheet() {
  const tb = view.get(state.selectedId);
  if (!tb || $("sheet").hidden) return;
  fillSheetFacts(tb);
  if (state.hold) return;
  const fits = view.fits(tb);
  const free = tb.state === "free";
  const holdBtn = $("hold-btn");
  holdBtn.disabled = state.busy || !free || !fits;
  holdBtn.textContent = state.busy ? t("Holding…") : t("Hold this table");
  $("hold-note").textContent = tb.unavailable_reason
    ? t("This table can't be booked right now ({reason}). Please pick another.", { reason: tb.unavailable_reason })
    : !fits
    ? t("Seats {n}: change the party size or pick another table.", { n: seats(tb) })
    : t("We'll keep it for you for {n} minutes while you add your details.", { n: state.venue?.hold_minutes ?? 10 });
  if (!free && !state.busy && tb.state !== "unavailable") showTaken(tb);
  else $("sheet-taken").hidden = true;
}

function showTaken(tb) {
  const box = $("sheet-taken");
  box.hidden = false;
  const alts = view.alternativesTo(tb);
  $("taken-sub").textContent = alts.length
    ? t("These are free, fit your party and are close by:")
    : t("No other {tier} table for {n} is free right now. Try another tier on the map.", { tier: tierName(tb.tier), n: state.party });
  $("alternatives").replaceChildren(
    ...alts.map((a) =>
      el(
        "li",
        {},
        el(
          "button",
          { type: "button", class: "alt", "data-table-id": a.id, onclick: () => holdAlternative(a.id) },
          el("span", { class: "alt-label", text: a.label }),
          el("span", { class: "alt-meta", text: [view.areaName(a), t("seats {n}", { n: seats(a) })].join(" · ") }),
          el("span", { class: "alt-min", text: money(a.minimum, view.currency) }),
          el("span", { class: "alt-cta", text: t("Hold") }),
        ),
      ),
    ),
  );
}

async function holdAlternative(id) {
  state.selectedId = id;
  view.setSelected(id);
  $("sheet-taken").hidden = true;
  view.ensureVisible(id);
  await placeHold(id);
}

$("hold-btn").addEventListener("click", () => state.selectedId && placeHold(state.selectedId));

async function placeHold(id) {
  if (state.busy) return;
  state.busy = true;
  $("sheet-error").hidden = true;
  refreshSheet();
  try {
    const res = await client.hold({
      date: state.night.date,
      table_ids: [id],
      party_size: state.party,
      sitting_id: state.sittingId,
      ...(hostCode ? { host_code: hostCode } : {}),
    });
    state.hold = {
      id: res.reservation.id,
      token: res.token,
      expires_at: res.reservation.expires_at,
      table_id: id,
      date: state.night.date,
      sitting_id: state.sittingId,
      party: state.party,
      reservation: res.reservation,
    };
    saveHold(slug, state.hold);
    state.busy = false;
    lockChoices(true);
    showHeld(id);
    $("g-name").focus({ preventScroll: true });
  } catch (err) {
    state.busy = false;
    if (!(err instanceof Problem)) throw err;
    if (err.code === "table_unavailable") {
      // The server is the truth: mark it taken now rather than wait for the delta.
      const tb = view.get(id);
      if (tb && tb.state === "free") view.applyDelta([{ id, state: "held", minimum: tb.minimum, deposit: tb.deposit }]);
      refreshSheet();
      showTaken(view.get(id));
      $("alternatives").querySelector("button")?.focus({ preventScroll: true });
    } else {
      if (err.code === "invalid" && err.errors.some((e) => e.field === "host_code")) {
        showError(t("That host link isn't valid any more. Remove ?host= from the address, or ask your host for a new link."));
      } else {
        showError(humanMessage(err));
      }
      refreshSheet();
    }
  }
}

function showError(text) {
  const box = $("sheet-error");
  box.textContent = text;
  box.hidden = false;
}

// While a table is held, other nights are out of reach: disabled, not merely dimmed.
function lockChoices(locked) {
  document.querySelectorAll(".night").forEach((b) => {
    const other = locked && b.getAttribute("aria-pressed") !== "true";
    b.classList.toggle("locked", other);
    b.disabled = other || b.classList.contains("unavailable");
  });
  document.querySelectorAll(".seg input").forEach((b) => b.classList.toggle("locked", locked));
  setParty(state.party);
  renderSittings();
}

// ---------- step 5: held -> details ------------------------------------------------------

function showHeld(id) {
  const tb = view.get(id);
  state.selectedId = id;
  view.setSelected(id);
  view.setMine([id]);
  $("sheet").hidden = false;
  body.classList.add("sheet-open");
  $("sheet-choose").hidden = true;
  $("sheet-taken").hidden = true;
  $("sheet-held").hidden = false;
  $("sheet-close").hidden = true; // leaving a hold is an explicit "Release", not a stray ✕
  if (tb) {
    fillSheetFacts(tb);
    revealAboveSheet(id);
  } else $("sheet-title").textContent = t("Table {label}", { label: state.hold.reservation.tables.join(" + ") });
  startCountdown();
}

function startCountdown() {
  clearInterval(state.countdown);
  const total = (state.venue?.hold_minutes ?? 10) * 60000;
  const tick = () => {
    if (!state.hold) return;
    // The Date header has whole seconds: never show more than the hold can last.
    const left = Math.min(Date.parse(state.hold.expires_at) - serverNow(), total);
    if (left <= 0) {
      holdLapsed();
      return;
    }
    const s = Math.ceil(left / 1000);
    $("countdown-time").textContent = `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
    $("countdown").classList.toggle("urgent", left < 60000);
    $("countdown-fill").style.width = `${Math.max(0, Math.min(1, left / total)) * 100}%`;
  };
  tick();
  state.countdown = setInterval(tick, 1000);
}

function endHold() {
  clearInterval(state.countdown);
  state.hold = null;
  clearHold(slug);
  view.setMine([]);
  lockChoices(false);
}

function holdLapsed() {
  endHold();
  $("sheet-held").hidden = true;
  $("sheet-close").hidden = false;
  $("sheet-choose").hidden = false;
  showError(t("Your hold ran out and the table went back on the floor. Choose it again if it's still free."));
  refreshSheet();
}

wireHoldForm({
  state,
  client,
  confirmLabel: t("Confirm booking"),
  onDone: (res, token) => {
    endHold();
    showDone(res, token);
  },
  onLapsed: holdLapsed,
  onError: (err) => {
    if (err) showError(humanMessage(err));
    else $("sheet-error").hidden = true;
  },
  onReleased: () => {
    endHold();
    $("sheet-held").hidden = true;
    $("sheet-close").hidden = false;
    closeSheet();
    toast(t("Table released."));
  },
});

// ---------- step 6: confirmation ---------------------------------------------------------

function showDone(res, token) {
  state.socket?.close();
  setLive("idle");
  $("sheet").hidden = true;
  body.classList.remove("sheet-open");
  $("booking").hidden = true;
  const pending = res.status === "pending_payment";
  $("done-title").textContent = pending ? t("Almost there — deposit due") : t("You're booked");
  const who = { name: res.guest_name };
  $("done-lead").textContent = res.guest_name
    ? (pending ? t("{name}, your table is reserved for you.", who) : t("{name}, we'll see you there.", who))
    : (pending ? t("Your table is reserved for you.") : t("We'll see you there."));
  fillFacts($("done-facts"), [
    [t("Night"), dayLabel(res.date, "long")],
    [t("Time"), `${localTime(res.starts_local)}–${localTime(res.ends_local)}`],
    [res.tables.length > 1 ? t("Tables") : t("Table"), res.tables.join(" + "), "strong"],
    [t("Guests"), String(res.party_size)],
    [t("Minimum spend"), money(res.minimum, res.currency)],
    [t("Deposit"), res.deposit > 0 ? money(res.deposit, res.currency) : t("No deposit")],
    [t("Status"), pending ? t("Deposit pending") : t("Confirmed"), `st-${res.status}`],
  ]);
  showConfirmation({
    client,
    slug,
    token,
    pending,
    depositNote: t("A deposit of {amount} secures this table. Pay it now: until it is paid the table is only held for you.", { amount: money(res.deposit, res.currency) }),
  });
}

// ---------- live changes touching the guest's choice -------------------------------------

function afterFloorChange() {
  if (state.selectedId && !$("sheet").hidden) refreshSheet();
  updateWaitlist();
}

// ---------- the waitlist: nothing free fits this party tonight -----------------------------

function updateWaitlist() {
  const loaded = !$("floor-ready").hidden && view.all().length > 0;
  const nothing = loaded && !state.hold && !view.all().some((t) => view.selectable(t));
  const box = $("waitlist-join");
  if (box.hidden !== !nothing) box.hidden = !nothing;
  if (!nothing) return;
  $("waitlist-lead").textContent =
    t("Nothing is free for a party of {n} on {day}.", { n: state.party, day: dayLabel(state.night.date, "long") }) + " " +
    t("Join the waitlist: when a table that fits comes free, we hold it for you and email you a link to take it.");
  const tiers = [...new Set(view.all().filter((t) => view.fits(t)).map((t) => t.tier))].sort();
  const row = $("w-tiers");
  if (row.dataset.tiers !== tiers.join(",")) {
    row.dataset.tiers = tiers.join(",");
    row.replaceChildren(...tiers.map((tier) => el("label", { class: "chip" },
      el("input", { type: "checkbox", name: "tiers", value: tier }), ` ${tierName(tier)}`)));
  }
  $("w-tiers-set").hidden = tiers.length < 2;
}

$("waitlist-start").addEventListener("click", () => {
  $("waitlist-form").hidden = false;
  $("waitlist-start").hidden = true;
  $("waitlist-start").setAttribute("aria-expanded", "true");
  $("w-name").focus();
});

function waitlistFieldError(field, message) {
  const box = document.getElementById(`err-w-${field}`);
  const input = document.getElementById(`w-${field === "latest_time" ? "latest" : field}`);
  if (!box) return false;
  box.textContent = message;
  box.hidden = false;
  input?.setAttribute("aria-invalid", "true");
  return true;
}

$("waitlist-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  document.querySelectorAll("#waitlist-form .field-error").forEach((e) => { e.hidden = true; });
  document.querySelectorAll("#waitlist-form [aria-invalid]").forEach((e) => e.removeAttribute("aria-invalid"));
  $("waitlist-error").hidden = true;
  const f = ev.target;
  const bodyIn = {
    date: state.night.date,
    party_size: state.party,
    name: f.name.value.trim(),
    email: f.email.value.trim() || null,
    phone: f.phone.value.trim() || null,
    sitting_id: state.sittingId || null,
    latest_time: f.latest_time.value || null,
    tiers: [...f.querySelectorAll("input[name=tiers]:checked")].map((i) => i.value),
  };
  if (!bodyIn.name) { waitlistFieldError("name", t("Tell us who the table is for.")); return; }
  if (!bodyIn.email) { waitlistFieldError("email", t("We send the offer to this address.")); return; }
  const btn = $("waitlist-submit");
  btn.disabled = true;
  btn.textContent = t("Joining…");
  try {
    const joined = await client.joinWaitlist(bodyIn);
    location.assign(`/v/${encodeURIComponent(slug)}/w/${encodeURIComponent(joined.token)}`);
  } catch (err) {
    let shown = false;
    if (err instanceof Problem) {
      for (const e of err.errors) shown = waitlistFieldError(String(e.field).split(".").pop(), e.message) || shown;
    }
    if (!shown) {
      $("waitlist-error").textContent = err instanceof Problem ? humanMessage(err) : t("Something went wrong. Please try again.");
      $("waitlist-error").hidden = false;
    }
    btn.disabled = false;
    btn.textContent = t("Join the waitlist");
  }
});

// ---------- start ------------------------------------------------------------------------

async function restore() {
  const saved = loadHold(slug);
  if (!saved) return;
  try {
    const res = await client.reservation(saved.token);
    if (res.status === "hold" && Date.parse(res.expires_at) > serverNow()) {
      state.hold = { ...saved, expires_at: res.expires_at, reservation: res };
      state.party = saved.party;
      state.restoreTableId = saved.table_id;
      setParty(saved.party);
      lockChoices(true);
      selectNight(saved.date, saved.sitting_id);
    } else if (res.status === "confirmed" || res.status === "pending_payment") {
      clearHold(slug);
      showDone(res, saved.token);
    } else {
      clearHold(slug);
    }
  } catch {
    clearHold(slug);
  }
}

async function start() {
  try {
    const [venue, nights] = await Promise.all([client.venue(), client.nights(28)]);
    state.venue = venue;
    state.nights = nights;
    applyBrand(venue.brand_color);
    if (venue.logo_url && /^(https?:)?\//.test(venue.logo_url)) {
      const img = document.querySelector(".logo");
      img.src = venue.logo_url;
      img.alt = "";
      img.hidden = false;
    }
    setParty(Math.max(2, venue.min_party));
    renderNights();
    await restore();
    body.classList.add("ready");
  } catch (err) {
    $("nights").replaceChildren(
      el("p", { class: "error-box", role: "alert", text: err instanceof Problem ? humanMessage(err) : t("Couldn't load this venue.") }),
    );
  }
}

start();
