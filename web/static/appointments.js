// The guest page in appointments mode: service -> staff or anyone -> day -> time ->
// details -> booked. An appointment is a reservation: completing, paying, looking up and
// cancelling go through the same API (and manage page) as a table.

import {
  Problem, api, applyBrand, dayLabel, dayPieces, el, fillFacts, humanMessage, localTime, money,
  request, serverNow, toast,
} from "./api.js";
import { showConfirmation, wireHoldForm } from "./hold-form.js";
import { LOCALE, t } from "./i18n.js";

const $ = (id) => document.getElementById(id);
const body = document.body;
const slug = body.dataset.slug;
const tz = body.dataset.timezone || "UTC";
const client = api(slug);
const base = `/api/v1/venues/${encodeURIComponent(slug)}`;
const DAYS = 21;

const state = {
  venue: null,
  services: [],
  staff: [],
  service: null,
  staffId: null, // null: anyone available
  day: null,
  hold: null, // {id, token, expires_at, reservation}
  countdown: null,
  busy: false,
};

applyBrand(body.dataset.brand);


const MESSAGES = {
  staff_unavailable: t("Just taken: someone else booked that time a moment ago. Pick another."),
};
const say = (err) =>
  err instanceof Problem ? MESSAGES[err.code] || humanMessage(err) : t("Something went wrong. Please try again.");

// "45 min", "1 h 30 min" in the page's language (Intl's unit names, not ours).
const unit = (u) => new Intl.NumberFormat(LOCALE, { style: "unit", unit: u, unitDisplay: "short" });
const minutes = (n) =>
  n >= 60 ? [unit("hour").format(Math.floor(n / 60)), n % 60 ? unit("minute").format(n % 60) : ""].filter(Boolean).join(" ") : unit("minute").format(n);

// The venue's calendar days from today, in its timezone (never the phone's).
function venueDays(count) {
  const fmt = new Intl.DateTimeFormat("en-CA", { timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit" });
  const today = fmt.format(new Date(serverNow()));
  const [y, m, d] = today.split("-").map(Number);
  return Array.from({ length: count }, (_, i) => new Date(Date.UTC(y, m - 1, d + i)).toISOString().slice(0, 10));
}

function radio(container, items, selected, onPick) {
  container.replaceChildren(
    ...items.map((item) =>
      el(
        "button",
        {
          type: "button",
          role: "radio",
          class: `${item.cls} ${item.id === selected ? "is-on" : ""}`,
          "aria-checked": String(item.id === selected),
          "data-id": item.id ?? "",
          onclick: () => onPick(item.id),
        },
        ...item.children,
      ),
    ),
  );
}

// ---------- 1. service -------------------------------------------------------------------

function renderServices() {
  const cur = state.venue.currency;
  radio(
    $("services"),
    state.services.map((s) => ({
      id: s.id,
      cls: "svc",
      children: [
        el("span", { class: "svc-name", text: s.name }),
        el("span", { class: "svc-meta", text: `${minutes(s.duration_minutes)} · ${money(s.price, cur)}` }),
        s.deposit > 0 ? el("span", { class: "svc-dep", text: t("{amount} deposit to book", { amount: money(s.deposit, cur) }) }) : null,
      ],
    })),
    state.service?.id,
    pickService,
  );
  $("services").setAttribute("aria-busy", "false");
}

function pickService(id) {
  state.service = state.services.find((s) => s.id === id);
  if (state.staffId && !state.service.staff_ids.includes(state.staffId)) state.staffId = null;
  renderServices();
  renderStaff();
  $("staff-step").hidden = false;
  if (!state.day) state.day = venueDays(1)[0];
  renderDays();
  $("day-step").hidden = false;
  loadTimes();
}

// ---------- 2. staff ---------------------------------------------------------------------

function renderStaff() {
  const able = state.staff.filter((m) => state.service.staff_ids.includes(m.id));
  radio(
    $("staff"),
    [
      { id: null, cls: "who anyone", children: [el("span", { class: "who-name", text: t("Anyone available") })] },
      ...able.map((m) => ({ id: m.id, cls: "who", children: [el("span", { class: "who-name", text: m.name })] })),
    ],
    state.staffId,
    (id) => {
      state.staffId = id;
      renderStaff();
      loadTimes();
    },
  );
}

// ---------- 3. day -----------------------------------------------------------------------

function renderDays() {
  radio(
    $("days"),
    venueDays(DAYS).map((d) => {
      const { weekday: wd, day, month: mon } = dayPieces(d);
      return {
        id: d,
        cls: "dchip",
        children: [
          el("span", { class: "d-wd", text: wd }),
          el("span", { class: "d-day", text: day }),
          el("span", { class: "d-mon", text: mon }),
        ],
      };
    }),
    state.day,
    (d) => {
      state.day = d;
      renderDays();
      loadTimes();
    },
  );
  $("days").querySelector(".is-on")?.scrollIntoView({ block: "nearest", inline: "nearest" });
}

// ---------- 4. time ----------------------------------------------------------------------

let timesSeq = 0;
async function loadTimes() {
  const seq = ++timesSeq;
  $("time-step").hidden = false;
  $("times").setAttribute("aria-busy", "true");
  const q = new URLSearchParams({ date: state.day });
  if (state.staffId) q.set("staff_id", state.staffId);
  try {
    const found = await request("GET", `${base}/services/${state.service.id}/slots?${q}`);
    if (seq !== timesSeq) return;
    $("times").replaceChildren(
      ...found.slots.map((s) =>
        el("button", { type: "button", class: "tslot", "data-at": s.starts_at, onclick: () => hold(s), text: localTime(s.starts_local) }),
      ),
    );
    $("times-empty").hidden = found.slots.length > 0;
  } catch (err) {
    if (seq === timesSeq) toast(say(err));
  } finally {
    if (seq === timesSeq) $("times").setAttribute("aria-busy", "false");
  }
}

// ---------- 5. hold and details ----------------------------------------------------------

async function hold(slot) {
  if (state.busy) return;
  state.busy = true;
  try {
    if (state.hold) await release(false);
    const body = { service_id: state.service.id, starts_at: slot.starts_at };
    if (state.staffId) body.staff_id = state.staffId;
    const placed = await request("POST", `${base}/appointments/holds`, body);
    state.hold = { id: placed.reservation.id, token: placed.token, expires_at: placed.reservation.expires_at, reservation: placed.reservation };
    showDetails();
  } catch (err) {
    toast(say(err));
    loadTimes();
  } finally {
    state.busy = false;
  }
}

function showDetails() {
  const res = state.hold.reservation;
  const a = res.quote.appointment;
  fillFacts($("summary"), [
    [t("Service"), a.service, "strong"],
    [t("With"), a.staff],
    [t("When"), `${dayLabel(res.starts_local.slice(0, 10), "long")}, ${localTime(res.starts_local)}`],
    [t("Price"), money(res.minimum, res.currency)],
    [t("Deposit"), res.deposit > 0 ? money(res.deposit, res.currency) : t("None")],
  ]);
  const step = $("details-step");
  step.hidden = false;
  step.scrollIntoView({ behavior: "smooth", block: "start" });
  $("g-name").focus({ preventScroll: true });
  startCountdown();
}

function startCountdown() {
  clearInterval(state.countdown);
  const total = Math.max(1, Date.parse(state.hold.expires_at) - serverNow());
  const tick = () => {
    const left = Math.max(0, Date.parse(state.hold.expires_at) - serverNow());
    const s = Math.ceil(left / 1000);
    $("countdown-time").textContent = `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
    $("countdown-fill").style.width = `${(100 * left) / total}%`;
    if (left <= 0) {
      clearInterval(state.countdown);
      state.hold = null;
      $("details-step").hidden = true;
      toast(t("Your hold ran out. Pick a time again."));
      loadTimes();
    }
  };
  tick();
  state.countdown = setInterval(tick, 1000);
}

/** Forget the hold on the page (the server's is released, expired or being released). */
function dropHold() {
  clearInterval(state.countdown);
  const h = state.hold;
  state.hold = null;
  $("details-step").hidden = true;
  return h;
}

async function release(reload = true) {
  const h = dropHold();
  if (h) await client.release(h.id, h.token).catch(() => {});
  if (reload) loadTimes();
}

wireHoldForm({
  state,
  client,
  confirmLabel: t("Confirm appointment"),
  onDone: (res, token) => {
    clearInterval(state.countdown);
    showDone(res, token);
  },
  onLapsed: () => {
    dropHold();
    loadTimes();
    toast(t("Your hold ran out. Pick a time again."));
  },
  onError: (err) => {
    $("form-error").textContent = err ? say(err) : "";
    $("form-error").hidden = !err;
  },
  onReleased: () => {
    dropHold();
    loadTimes();
  },
});

// ---------- 6. booked --------------------------------------------------------------------

function showDone(res, token) {
  const a = res.quote.appointment;
  const pending = res.status === "pending_payment";
  fillFacts($("done-facts"), [
    [t("Service"), a.service, "strong"],
    [t("With"), a.staff],
    [t("Date"), dayLabel(res.date, "long")],
    [t("Time"), `${localTime(res.starts_local)}–${localTime(res.ends_local)}`],
    [t("Price"), money(res.minimum, res.currency)],
    [t("Status"), pending ? t("Deposit pending") : t("Confirmed"), `st-${res.status}`],
  ]);
  $("appt").hidden = true;
  showConfirmation({
    client,
    slug,
    token,
    pending,
    depositNote: t("A deposit of {amount} secures this appointment. Pay it now: until it is paid the time is only held for you.", { amount: money(res.deposit, res.currency) }),
    bookAgain: location.pathname,
    describe: say,
  });
}

// ---------- start ------------------------------------------------------------------------


async function start() {
  try {
    const [venue, services, staff] = await Promise.all([
      client.venue(),
      request("GET", `${base}/services`),
      request("GET", `${base}/staff`),
    ]);
    Object.assign(state, { venue, services, staff });
    if (!services.length) {
      $("services").replaceChildren(el("p", { class: "muted", text: t("No services are bookable online yet.") }));
      return;
    }
    renderServices();
  } catch (err) {
    $("services").replaceChildren(el("p", { class: "error-box", text: say(err) }));
  }
}

start();
