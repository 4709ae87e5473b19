// Appointments: the day view. One column per staff member (their hours; breaks striped;
// a day off greyed), appointments as blocks with their buffers. Drag a block to another
// time or person (or use its Move form); the server applies the booking's guarantees and
// answers 409 staff_unavailable when the time is taken. Walk-ins, and each person's
// weekly hours, breaks and days off (managers).

import { call, staffMessage } from "./http.js";
import { $, addDays, button, el, errorBox, field, setError, statusName, toast } from "./ui.js";
import { t } from "../i18n.js";

const PX = 1.3; // pixels per minute
const SNAP = 15;
const s = { ctx: null, day: null, data: null, services: [], loads: 0 };
const base = () => `/api/v1/staff/venues/${encodeURIComponent(s.ctx.slug)}/appointments`;
const mins = (hhmm) => { const [h, m] = hhmm.split(":").map(Number); return h * 60 + m; };
const hhmm = (n) => `${String(Math.floor(n / 60)).padStart(2, "0")}:${String(n % 60).padStart(2, "0")}`;
const localMin = (iso) => mins(iso.slice(11, 16));

function today() {
  const tz = s.ctx.venue().timezone || "UTC";
  return new Intl.DateTimeFormat("en-CA", { timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
}

export async function show(ctx, [day] = []) {
  s.ctx = ctx;
  s.day = day || s.day || today();
  const root = $("day-root");
  root.replaceChildren(el("p", { class: "muted", text: t("Loading…") }));
  // Only the latest request may draw: a day asked for earlier that answers later (the
  // home view loading as the desk jumps to another day, or quick ‹ › clicks) is dropped.
  const mine = ++s.loads;
  try {
    const [data, services] = await Promise.all([
      call("GET", `${base()}/day?date=${s.day}`),
      call("GET", `/api/v1/venues/${encodeURIComponent(ctx.slug)}/services`),
    ]);
    if (mine !== s.loads) return;
    s.data = data;
    s.services = services;
  } catch (p) {
    if (mine === s.loads) root.replaceChildren(el("p", { class: "error-box", text: staffMessage(p) }));
    return;
  }
  if (!s.data.staff.length) {
    root.replaceChildren(el("p", { class: "muted", text: t("This venue has no staff members taking appointments.") }));
    return;
  }
  root.replaceChildren(toolbar(), walkInPanel(), grid(), el("div", { id: "day-side" }));
}

function go(day) {
  s.ctx.go(`#/day/${day}`);
}

function toolbar() {
  const date = el("input", { type: "date", value: s.day, "aria-label": t("Day"), onchange: (e) => go(e.target.value) });
  return el("div", { class: "day-bar" },
    button("‹", "btn-ghost btn-compact", () => go(addDays(s.day, -1)), { "aria-label": t("Previous day") }),
    date,
    button("›", "btn-ghost btn-compact", () => go(addDays(s.day, 1)), { "aria-label": t("Next day") }),
    button(t("Today"), "btn-ghost btn-compact", () => go(today())),
    s.ctx.floor ? button(t("Walk-in"), "btn-primary btn-compact", () => { $("walkin").hidden = !$("walkin").hidden; }, { "aria-controls": "walkin" }) : null,
    s.data.closed ? el("span", { class: "status-pill st-cancelled", text: t("Closed") }) : null,
  );
}

function bounds() {
  let lo = 9 * 60, hi = 18 * 60;
  for (const m of s.data.staff) for (const [a, b] of m.work) { lo = Math.min(lo, mins(a)); hi = Math.max(hi, mins(b)); }
  for (const b of s.data.appointments) { lo = Math.min(lo, localMin(b.busy_from_local)); hi = Math.max(hi, localMin(b.busy_until_local)); }
  return [Math.floor(lo / 60) * 60, Math.ceil(hi / 60) * 60];
}

function grid() {
  const [lo, hi] = bounds();
  const height = (hi - lo) * PX;
  const hours = el("div", { class: "day-hours", "aria-hidden": "true" });
  hours.style.height = `${height}px`;
  for (let tb = lo; tb < hi; tb += 60) {
    const mark = el("span", { text: hhmm(tb) });
    mark.style.top = `${(tb - lo) * PX}px`;
    hours.append(mark);
  }
  const cols = s.data.staff.map((m) => column(m, lo, height));
  const heads = s.data.staff.map((m) => el("div", { class: "day-head" },
    el("strong", { text: m.name }),
    el("span", { class: "muted small", text: m.absence ? (m.absence.reason ? t("Off: {reason}", { reason: m.absence.reason }) : t("Off")) : m.work.length ? m.work.map((w) => w.join("–")).join(", ") : t("Day off") }),
    s.ctx.manager ? button(t("Hours"), "btn-ghost btn-compact", () => hoursPanel(m), { "data-staff": m.id, "aria-label": t("Hours and days off for {name}", { name: m.name }) }) : null));
  const wrap = el("div", { class: "day-grid", role: "region", "aria-label": t("Appointments on {day}", { day: s.day }) },
    el("div", { class: "day-corner" }), ...heads, hours, ...cols);
  wrap.style.setProperty("--cols", String(s.data.staff.length));
  return el("div", { class: "day-scroll" }, wrap);
}

function column(m, lo, height) {
  const col = el("div", { class: `day-col ${m.absence || !m.work.length ? "off" : ""}`, "data-staff": m.id });
  col.style.height = `${height}px`;
  const band = (a, b, cls) => {
    const d = el("div", { class: cls });
    d.style.top = `${(mins(a) - lo) * PX}px`;
    d.style.height = `${(mins(b) - mins(a)) * PX}px`;
    return d;
  };
  if (!m.absence) {
    for (const [a, b] of m.work) col.append(band(a, b, "day-work"));
    for (const [a, b] of m.breaks) col.append(band(a, b, "day-break"));
  }
  for (const b of s.data.appointments.filter((x) => x.staff_id === m.id)) col.append(block(b, lo));
  col.addEventListener("dragover", (e) => { if (s.ctx.floor) e.preventDefault(); });
  col.addEventListener("drop", (e) => {
    e.preventDefault();
    const rid = e.dataTransfer.getData("text/plain");
    const drag = s.data.appointments.find((x) => x.reservation_id === rid);
    if (!drag) return;
    const grab = Number(e.dataTransfer.getData("application/x-offset") || 0);
    const y = e.clientY - col.getBoundingClientRect().top - grab;
    const at = Math.round((lo + y / PX) / SNAP) * SNAP;
    move(drag, hhmm(Math.max(lo, at)), m.id);
  });
  return col;
}

function block(b, lo) {
  const start = localMin(b.starts_local), end = localMin(b.ends_local);
  const from = localMin(b.busy_from_local), until = localMin(b.busy_until_local);
  const live = !["cancelled", "expired", "no_show"].includes(b.status);
  const box = el("button", {
    type: "button",
    class: `day-block st-${b.status} ${live ? "" : "gone"}`,
    draggable: live && s.ctx.floor ? "true" : "false",
    "data-rid": b.reservation_id,
    onclick: () => details(b),
  },
  el("span", { class: "b-time", text: `${b.starts_local.slice(11, 16)}–${b.ends_local.slice(11, 16)}` }),
  el("span", { class: "b-what", text: b.service }),
  el("span", { class: "b-who", text: `${b.guest_name || "—"}${b.status === "confirmed" ? "" : ` · ${statusName(b.status)}`}` }));
  box.style.top = `${(start - lo) * PX}px`;
  box.style.height = `${Math.max(18, (end - start) * PX)}px`;
  box.style.setProperty("--before", `${(start - from) * PX}px`);
  box.style.setProperty("--after", `${(until - end) * PX}px`);
  box.addEventListener("dragstart", (e) => {
    e.dataTransfer.setData("text/plain", b.reservation_id);
    e.dataTransfer.setData("application/x-offset", String(e.clientY - box.getBoundingClientRect().top));
    e.dataTransfer.effectAllowed = "move";
  });
  return box;
}

async function move(b, time, staffId) {
  try {
    await call("POST", `${base()}/${b.reservation_id}/move`, { starts_at: atUtc(time), staff_id: staffId });
    toast(t("Moved to {time}", { time }));
  } catch (p) {
    toast(p.code === "staff_unavailable" ? t("That time is taken (buffers included): not moved.") : staffMessage(p));
  }
  await show(s.ctx, [s.day]);
}

// "HH:MM" on the chosen day in the venue's timezone -> an ISO instant with its offset.
function atUtc(time) {
  const tz = s.ctx.venue().timezone || "UTC";
  const [y, mo, d] = s.day.split("-").map(Number);
  const [h, m] = time.split(":").map(Number);
  const guess = Date.UTC(y, mo - 1, d, h, m);
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: tz, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" })
    .formatToParts(new Date(guess)).reduce((o, p) => ({ ...o, [p.type]: p.value }), {});
  const shown = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute);
  return new Date(guess - (shown - guess)).toISOString();
}

function details(b) {
  const side = $("day-side");
  const time = el("input", { type: "time", step: 900, value: b.starts_local.slice(11, 16), name: "starts_at" });
  const who = el("select", { name: "staff_id" }, ...s.data.staff.map((m) => new Option(m.name, m.id, false, m.id === b.staff_id)));
  const err = errorBox("move-err");
  side.replaceChildren(el("div", { class: "panel day-panel", role: "dialog", "aria-label": t("Appointment") },
    el("h2", { class: "panel-title", text: `${b.service} · ${b.guest_name || "guest"}` }),
    el("p", { class: "muted", text: `${b.starts_local.slice(11, 16)}–${b.ends_local.slice(11, 16)} · ${statusName(b.status)} · ${b.channel}` }),
    s.ctx.floor ? el("form", { class: "row", onsubmit: (e) => { e.preventDefault(); move(b, time.value, who.value).catch((p) => setError(err, staffMessage(p))); } },
      field(t("Time"), time), field(t("With"), who), el("button", { type: "submit", class: "btn btn-primary btn-compact", text: t("Move") })) : null,
    err,
    el("p", {}, el("a", { href: `#/reservations/${b.reservation_id}`, text: t("Open the booking (cancel, no-show, payments)") }))));
  side.querySelector(".panel-title").scrollIntoView({ block: "nearest" });
}

function walkInPanel() {
  const service = el("select", { name: "service_id" }, ...s.services.map((x) => new Option(`${x.name} (${x.duration_minutes} min)`, x.id)));
  const who = el("select", { name: "staff_id" }, new Option(t("Anyone available"), ""), ...s.data.staff.map((m) => new Option(m.name, m.id)));
  const now = new Date();
  const next = Math.ceil((now.getHours() * 60 + now.getMinutes()) / SNAP) * SNAP;
  const time = el("input", { type: "time", step: 900, name: "starts_at", value: hhmm(Math.min(next, 23 * 60)) });
  const name = el("input", { name: "guest.name", autocomplete: "off", required: true });
  const phone = el("input", { name: "guest.phone", type: "tel", autocomplete: "off" });
  const err = errorBox("walkin-err");
  return el("form", { id: "walkin", class: "panel day-panel", hidden: true, onsubmit: async (e) => {
    e.preventDefault();
    try {
      await call("POST", `${base()}/walk-ins`, {
        service_id: service.value, starts_at: atUtc(time.value), staff_id: who.value || null,
        guest: { name: name.value.trim(), phone: phone.value.trim() || null },
      });
      toast(t("Walk-in booked"));
      await show(s.ctx, [s.day]);
    } catch (p) {
      setError(err, p.code === "staff_unavailable" ? t("Nobody is free for that then.") : staffMessage(p));
    }
  } },
  el("h2", { class: "panel-title", text: t("Walk-in") }),
  el("div", { class: "row" }, field(t("Service"), service), field(t("With"), who), field(t("Time"), time)),
  el("div", { class: "row" }, field(t("Name"), name), field(t("Mobile"), phone)),
  err,
  el("button", { type: "submit", class: "btn btn-primary btn-compact", text: t("Book walk-in") }));
}

const WEEK = [t("Mon"), t("Tue"), t("Wed"), t("Thu"), t("Fri"), t("Sat"), t("Sun")];
const spans = (list) => (list || []).map((p) => p.join("-")).join(", ");
const parseSpans = (text) => text.split(",").map((tb) => tb.trim()).filter(Boolean).map((tb) => tb.split("-").map((x) => x.trim()));

async function hoursPanel(m) {
  const side = $("day-side");
  const week = await call("GET", `${base()}/staff/${m.id}/week`);
  const err = errorBox("hours-err");
  const rows = WEEK.map((d, i) => el("tr", {},
    el("th", { scope: "row", text: d }),
    el("td", {}, el("input", { name: `work-${i}`, value: spans(week.work[i]), placeholder: t("day off"), "aria-label": t("{day} hours", { day: d }) })),
    el("td", {}, el("input", { name: `break-${i}`, value: spans(week.breaks[i]), placeholder: t("none"), "aria-label": t("{day} breaks", { day: d }) }))));
  const first = el("input", { type: "date", name: "first_day", value: s.day });
  const last = el("input", { type: "date", name: "last_day", value: s.day });
  const reason = el("input", { name: "reason", placeholder: t("holiday") });
  const save = async (e) => {
    e.preventDefault();
    const work = {}, breaks = {};
    WEEK.forEach((_, i) => {
      const w = side.querySelector(`[name=work-${i}]`).value, b = side.querySelector(`[name=break-${i}]`).value;
      if (w.trim()) work[i] = parseSpans(w);
      if (b.trim()) breaks[i] = parseSpans(b);
    });
    try {
      await call("PUT", `${base()}/staff/${m.id}/hours`, { work, breaks });
      toast(t("{name}'s hours saved", { name: m.name }));
      await show(s.ctx, [s.day]);
    } catch (p) { setError(err, staffMessage(p)); }
  };
  const addOff = async () => {
    try {
      await call("POST", `${base()}/staff/${m.id}/absences`, { first_day: first.value, last_day: last.value, reason: reason.value || null });
      toast(t("Day off added"));
      await show(s.ctx, [s.day]);
    } catch (p) { setError(err, staffMessage(p)); }
  };
  side.replaceChildren(el("form", { class: "panel day-panel", onsubmit: save, "aria-label": t("Hours for {name}", { name: m.name }) },
    el("h2", { class: "panel-title", text: t("{name}: hours, breaks, days off", { name: m.name }) }),
    el("table", { class: "data-table" }, el("thead", {}, el("tr", {}, ...[t("Day"), t("Hours (09:00-17:00)"), t("Breaks")].map((h) => el("th", { scope: "col", text: h })))), el("tbody", {}, ...rows)),
    el("button", { type: "submit", class: "btn btn-primary btn-compact", text: t("Save hours") }),
    el("h3", { text: t("Days off") }),
    el("ul", {}, ...week.absences.map((a) => el("li", {}, `${a.first_day} – ${a.last_day} ${a.reason || ""} `,
      button(t("Remove"), "btn-ghost btn-compact", async () => { await call("DELETE", `${base()}/staff/${m.id}/absences/${a.id}`); await show(s.ctx, [s.day]); })))),
    el("div", { class: "row" }, field(t("From"), first), field(t("To"), last), field(t("Reason"), reason), button(t("Add day off"), "btn-ghost btn-compact", addOff)),
    err));
  side.querySelector(".panel-title").scrollIntoView({ block: "nearest" });
}
