// The manage page for an appointment: change the time (same service; the same staff
// member when the guest chose them, else anyone available). The server checks the same
// guarantees as a booking; the old time goes back in the same step.

import { Problem, dayLabel, dayPieces, el, humanMessage, localTime, request, serverNow } from "./api.js";
import { t } from "./i18n.js";

const $ = (id) => document.getElementById(id);
const slug = document.body.dataset.slug;
const token = document.body.dataset.token;
const base = `/api/v1/venues/${encodeURIComponent(slug)}`;
let current = null;
let onMoved = () => {};
let panel = null;
let picked = null;

function days(tz, count) {
  const fmt = new Intl.DateTimeFormat("en-CA", { timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit" });
  const [y, m, d] = fmt.format(new Date(serverNow())).split("-").map(Number);
  return Array.from({ length: count }, (_, i) => new Date(Date.UTC(y, m - 1, d + i)).toISOString().slice(0, 10));
}

function build() {
  const row = $("resched-row");
  panel = el(
    "section",
    { id: "appt-move", class: "resched", hidden: true, "aria-labelledby": "appt-move-title" },
    el("h2", { id: "appt-move-title", class: "resched-title", tabindex: "-1", text: t("Change the time") }),
    el("div", { id: "appt-move-days", class: "day-strip", role: "group", "aria-label": t("Day") }),
    el("div", { id: "appt-move-times", class: "time-grid", "aria-live": "polite" }),
    el("p", { id: "appt-move-none", class: "muted small", hidden: true, text: t("No free times that day.") }),
    el(
      "div",
      { id: "appt-move-confirm", class: "confirm-box", hidden: true },
      el("p", { id: "appt-move-what" }),
      el(
        "div",
        { class: "row" },
        el("button", { type: "button", class: "btn btn-primary", id: "appt-move-yes", text: t("Confirm change"), onclick: confirm }),
        el("button", { type: "button", class: "btn btn-ghost", id: "appt-move-no", text: t("Keep my time"), onclick: () => ($("appt-move-confirm").hidden = true) }),
      ),
    ),
    el("p", { id: "appt-move-error", class: "error-box", role: "alert", hidden: true }),
  );
  row.after(panel);
  const btn = $("resched-start");
  btn.textContent = t("Change the time");
  btn.setAttribute("aria-controls", "appt-move");
  btn.addEventListener("click", () => {
    panel.hidden = !panel.hidden;
    btn.setAttribute("aria-expanded", String(!panel.hidden));
    if (!panel.hidden) showDays(current.starts_local.slice(0, 10));
  });
}

async function showDays(selected) {
  const venue = await request("GET", base);
  $("appt-move-days").replaceChildren(
    ...days(venue.timezone, 21).map((d) => {
      const { weekday: wd, day, month: mon } = dayPieces(d);
      return el(
        "button",
        { type: "button", class: `dchip ${d === selected ? "is-on" : ""}`, "data-id": d, "aria-pressed": String(d === selected), onclick: () => showDays(d) },
        el("span", { class: "d-wd", text: wd }), el("span", { class: "d-day", text: day }), el("span", { class: "d-mon", text: mon }),
      );
    }),
  );
  const a = current.quote.appointment;
  const q = new URLSearchParams({ date: selected, moving: token });
  if (a.chosen_by === "guest") q.set("staff_id", a.staff_id);
  const found = await request("GET", `${base}/services/${a.service_id}/slots?${q}`);
  $("appt-move-times").replaceChildren(
    ...found.slots
      .filter((s) => s.starts_at !== current.starts_at)
      .map((s) => el("button", { type: "button", class: "tslot", "data-at": s.starts_at, text: localTime(s.starts_local), onclick: () => ask(s) })),
  );
  $("appt-move-none").hidden = found.slots.length > 0;
}

function ask(slot) {
  picked = slot;
  $("appt-move-what").textContent = t("Move to {day} at {time}?", { day: dayLabel(slot.starts_local.slice(0, 10), "long"), time: localTime(slot.starts_local) });
  $("appt-move-confirm").hidden = false;
  $("appt-move-yes").focus();
}

async function confirm() {
  const a = current.quote.appointment;
  const body = { starts_at: picked.starts_at };
  if (a.chosen_by === "guest") body.staff_id = a.staff_id;
  $("appt-move-error").hidden = true;
  try {
    const moved = await request("POST", `${base}/reservations/${encodeURIComponent(token)}/appointment/move`, body);
    panel.hidden = true;
    $("appt-move-confirm").hidden = true;
    onMoved(moved);
  } catch (err) {
    const box = $("appt-move-error");
    box.textContent = err instanceof Problem
      ? err.code === "staff_unavailable" ? t("Just taken: pick another time.") : humanMessage(err)
      : t("Something went wrong. Please try again.");
    box.hidden = false;
  }
}

export function offerAppointmentMove(res, moved) {
  current = res;
  if (moved) onMoved = moved;
  if (!panel) build();
  $("resched-row").hidden = res.status !== "confirmed";
}
