// The guest booking page of a restaurant: date -> party size -> time -> details -> booked.
// The venue seats the party (the hold answers with the tables it assigned); only times
// the venue can honour are offered, with what is left of them.

import {
  Problem, api, applyBrand, dayLabel, dayPieces, el, fillFacts, humanMessage, localTime,
  money, nightCardText, serverNow, toast,
} from "./api.js";
import { showConfirmation, wireHoldForm } from "./hold-form.js";
import { plural, t } from "./i18n.js";

const $ = (id) => document.getElementById(id);
const body = document.body;
const slug = body.dataset.slug;
const client = api(slug);
const hostCode = new URLSearchParams(location.search).get("host") || undefined;

const state = {
  venue: null,
  nights: [],
  date: null,
  party: 2,
  starts: null,
  hold: null, // {id, token, expires_at, reservation}
  busy: false,
  countdown: null,
  poll: null,
};

applyBrand(body.dataset.brand);


// ---------- step 1: dates -----------------------------------------------------------------

function renderNights() {
  const box = $("nights");
  box.setAttribute("aria-busy", "false");
  if (!state.nights.length) {
    box.replaceChildren(el("p", { class: "muted", text: t("No dates are open for booking yet.") }));
    return;
  }
  const list = el("ul", { class: "night-list", role: "list" });
  for (const n of state.nights) {
    const ok = !n.closed && Date.parse(n.booking_opens_at || 0) <= serverNow();
    const status = n.closed ? n.closed_reason || t("Closed") : ok ? t("Open") : t("Not open yet");
    // While a hold runs only its own date stays in reach (and the list keyboard-reachable).
    const locked = !!state.hold && state.date !== n.date;
    const btn = el(
      "button",
      {
        type: "button",
        class: `night${ok ? "" : " unavailable"}${locked ? " locked" : ""}`,
        "data-date": n.date,
        "aria-pressed": state.date === n.date ? "true" : "false",
        disabled: !ok || locked,
        onclick: () => selectDate(n.date),
      },
      ...nightCardText(dayPieces(n.date), n.title || "", "", status),
    );
    list.append(el("li", {}, btn));
  }
  box.replaceChildren(list);
}

function selectDate(date) {
  if (state.hold) return;
  state.date = date;
  renderNights();
  loadTimes();
}

// ---------- step 2: party size ------------------------------------------------------------

function setParty(n) {
  const v = state.venue;
  const lo = v ? v.min_party : 1;
  const hi = v ? v.max_party : 20;
  state.party = Math.min(Math.max(n, lo), hi);
  $("party-size").textContent = String(state.party);
  $("party-minus").disabled = state.party <= lo || !!state.hold;
  $("party-plus").disabled = state.party >= hi || !!state.hold;
  $("party-range").textContent = t("{lo}–{hi} guests online", { lo, hi });
}

$("party-minus").addEventListener("click", () => { setParty(state.party - 1); loadTimes(); });
$("party-plus").addEventListener("click", () => { setParty(state.party + 1); loadTimes(); });

// ---------- step 3: times -----------------------------------------------------------------

function fewLeft(s) {
  return (s.covers_left != null && s.covers_left <= state.party + 2) || s.tables_left <= 2;
}

function leftText(s) {
  if (fewLeft(s)) return t("last few");
  if (s.tables_left <= 5) return t("{n} tables left", { n: s.tables_left });
  return t("available");
}

async function loadTimes() {
  if (!state.date || state.hold) return;
  const box = $("times");
  box.setAttribute("aria-busy", "true");
  $("times-error").hidden = true;
  const asked = `${state.date}:${state.party}`;
  try {
    const got = await client.sittings(state.date, state.party);
    if (`${state.date}:${state.party}` !== asked) return; // a newer question is on its way
    state.starts = got;
    renderTimes();
  } catch (err) {
    if (!(err instanceof Problem)) throw err;
    box.replaceChildren();
    $("times-error").textContent = humanMessage(err);
    $("times-error").hidden = false;
  } finally {
    box.setAttribute("aria-busy", "false");
  }
}

function renderTimes() {
  const box = $("times");
  const got = state.starts;
  if (got.call_us !== null) {
    const phone = got.call_us || state.venue.phone || "";
    box.replaceChildren(
      el("p", { class: "call-us" },
        phone
          ? t("For a party of {n}, please call us on", { n: state.party })
          : t("For a party of {n}, please call us.", { n: state.party }),
        phone ? el("span", {}, " ", el("a", { href: `tel:${phone.replace(/\s+/g, "")}`, text: phone })) : null),
    );
    return;
  }
  const groups = new Map();
  for (const s of got.starts) {
    if (!groups.has(s.sitting_id)) groups.set(s.sitting_id, { name: s.sitting, starts: [] });
    if (s.bookable) groups.get(s.sitting_id).starts.push(s);
  }
  const open = [...groups.values()].filter((g) => g.starts.length);
  if (!open.length) {
    box.replaceChildren(
      el("p", { class: "muted", text: t("Nothing left for {n} on {day}. Try another date or party size.", { n: state.party, day: dayLabel(state.date, "long") }) }),
    );
    return;
  }
  box.replaceChildren(
    ...open.map((g) =>
      el("div", { class: "time-group" },
        el("h3", { class: "time-group-title", text: g.name }),
        el("ul", { class: "time-list", role: "list" },
          ...g.starts.map((s) =>
            el("li", {},
              el("button", {
                type: "button",
                class: `time-btn${fewLeft(s) ? " few" : ""}`,
                "data-starts": s.starts_at,
                onclick: () => hold(s),
              },
              el("span", { class: "t-time", text: localTime(s.starts_at) || s.local_time }), " ",
              el("span", { class: "t-left", text: leftText(s) })),
            ),
          ),
        ),
      ),
    ),
  );
}

// ---------- step 4: hold and details ------------------------------------------------------

async function hold(start) {
  if (state.busy) return;
  state.busy = true;
  $("times-error").hidden = true;
  try {
    const got = await client.hold({
      date: state.date,
      party_size: state.party,
      starts_at: start.starts_at,
      host_code: hostCode,
    });
    state.hold = { id: got.reservation.id, token: got.token, expires_at: got.reservation.expires_at, reservation: got.reservation };
    showDetails(start);
  } catch (err) {
    if (!(err instanceof Problem)) throw err;
    $("times-error").textContent = humanMessage(err);
    $("times-error").hidden = false;
    loadTimes();
  } finally {
    state.busy = false;
  }
}

function showDetails(start) {
  const res = state.hold.reservation;
  renderNights();
  setParty(state.party);
  $("times-section").hidden = true;
  $("details").hidden = false;
  const when = { day: dayLabel(state.date, "long"), time: localTime(start.starts_at) || start.local_time, n: state.party };
  $("held-summary").textContent =
    plural(state.party, t("{day} at {time}, {n} guest", when), t("{day} at {time}, {n} guests", when)) +
    (res.deposit > 0 ? " · " + t("deposit {amount}", { amount: money(res.deposit, res.currency) }) : "");
  startCountdown();
  $("g-name").focus();
}

function startCountdown() {
  clearInterval(state.countdown);
  const total = Date.parse(state.hold.expires_at) - serverNow();
  const tick = () => {
    const left = Math.max(0, Date.parse(state.hold.expires_at) - serverNow());
    const m = Math.floor(left / 60000);
    const s = Math.floor((left % 60000) / 1000);
    $("countdown-time").textContent = `${m}:${String(s).padStart(2, "0")}`;
    $("countdown-fill").style.width = `${total > 0 ? (100 * left) / total : 0}%`;
    if (left <= 0) {
      endHold();
      $("times-error").textContent = t("Your hold ran out. Choose a time again.");
      $("times-error").hidden = false;
    }
  };
  tick();
  state.countdown = setInterval(tick, 1000);
}

function endHold() {
  clearInterval(state.countdown);
  state.hold = null;
  $("details").hidden = true;
  $("times-section").hidden = false;
  renderNights();
  setParty(state.party);
  loadTimes();
}

function showTimesError(text) {
  $("times-error").textContent = text;
  $("times-error").hidden = false;
}

wireHoldForm({
  state,
  client,
  confirmLabel: t("Confirm booking"),
  onDone: (res, token) => {
    clearInterval(state.countdown);
    state.hold = null;
    showDone(res, token);
  },
  onLapsed: () => {
    endHold();
    showTimesError(t("Your hold ran out. Choose a time again."));
  },
  onError: (err) => {
    $("details-error").textContent = err ? humanMessage(err) : "";
    $("details-error").hidden = !err;
  },
  onReleased: () => {
    endHold();
    toast(t("Released. Choose another time."));
  },
});

// ---------- step 5: booked ----------------------------------------------------------------

function showDone(res, token) {
  clearInterval(state.poll);
  $("booking").hidden = true;
  const pending = res.status === "pending_payment";
  $("done-title").textContent = pending ? t("Almost there — deposit due") : t("You're booked");
  const who = { name: res.guest_name };
  $("done-lead").textContent = res.guest_name
    ? (pending ? t("{name}, your table is held for you.", who) : t("{name}, we'll see you then.", who))
    : (pending ? t("Your table is held for you.") : t("We'll see you then."));
  fillFacts($("done-facts"), [
    [t("Date"), dayLabel(res.date, "long")],
    [t("Time"), localTime(res.starts_local)],
    [t("Guests"), String(res.party_size)],
    [res.tables.length > 1 ? t("Tables") : t("Table"), res.tables.join(" + "), "strong"],
    [t("Deposit"), res.deposit > 0 ? money(res.deposit, res.currency) : t("No deposit")],
    [t("Status"), pending ? t("Deposit pending") : t("Confirmed"), `st-${res.status}`],
  ]);
  showConfirmation({
    client,
    slug,
    token,
    pending,
    depositNote: t("A deposit of {amount} secures your table. Until it is paid the table is only held for you.", { amount: money(res.deposit, res.currency) }),
  });
}

// ---------- start -------------------------------------------------------------------------

async function start() {
  try {
    const [venue, nights] = await Promise.all([client.venue(), client.nights(42)]);
    state.venue = venue;
    state.nights = nights;
    applyBrand(venue.brand_color);
    setParty(Math.max(2, venue.min_party));
    renderNights();
    // What is left changes as others book: ask again while the page is in view.
    state.poll = setInterval(() => { if (!document.hidden) loadTimes(); }, 20000);
    document.addEventListener("visibilitychange", () => { if (!document.hidden) loadTimes(); });
    body.classList.add("ready");
  } catch (err) {
    $("nights").replaceChildren(
      el("p", { class: "error-box", role: "alert", text: err instanceof Problem ? humanMessage(err) : t("Couldn't load this restaurant.") }),
    );
  }
}

start();
