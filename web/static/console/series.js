// Standing reservations: the "Repeat" part of the phone booking form (a preview listing
// each date and whether it can be honoured, with the alternative offered), and the
// series view (#/series, #/series/<id>) to read one and cancel one date, this and the
// following ones, or all of it. Each cancelled booking is refunded by the venue's policy.

import { dayLabel, localTime } from "../api.js";
import { staffMessage } from "./http.js";
import { $, busy, button, el, errorBox, field, setError, statusPill, toast } from "./ui.js";
import { plural, t } from "../i18n.js";

export const REASONS = {
  no_night: t("No night set up"),
  night_closed: t("Closed"),
  no_sitting: t("No sitting at that time"),
  table_taken: t("Table taken"),
  table_blocked: t("Table blocked"),
  table_unavailable: t("Table just taken"),
  past: t("Already started"),
};
const WEEKDAYS = [t("Monday"), t("Tuesday"), t("Wednesday"), t("Thursday"), t("Friday"), t("Saturday"), t("Sunday")];
const ORDINALS = { 1: t("first"), 2: t("second"), 3: t("third"), 4: t("fourth"), "-1": t("last") };

/** Monday = 0, as the API counts, for a "YYYY-MM-DD" date. */
function weekdayOf(isoDate) {
  const [y, m, d] = isoDate.split("-").map(Number);
  return (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
}

function nthOf(isoDate) {
  const n = Math.ceil(Number(isoDate.slice(8, 10)) / 7);
  return n > 4 ? -1 : n;
}

/** The Repeat select and the number of times, for a booking on ``day``. */
export function repeatControls(day) {
  const weekday = WEEKDAYS[weekdayOf(day)];
  const nth = nthOf(day);
  const repeat = el("select", { id: "bk-repeat", name: "rule.freq" },
    new Option(t("Does not repeat"), ""),
    new Option(t("Every week ({weekday})", { weekday }), "weekly"),
    new Option(t("Every 2 weeks ({weekday})", { weekday }), "weekly2"),
    new Option(t("The {nth} {weekday} of each month", { nth: ORDINALS[nth], weekday }), "monthly"));
  const times = el("input", { id: "bk-times", name: "rule.occurrences", type: "number", min: 2, max: 104, value: "8", inputmode: "numeric" });
  const timesField = field(t("Times"), times, { name: "rule.occurrences", help: t("how many dates") });
  timesField.hidden = true;
  repeat.addEventListener("change", () => (timesField.hidden = !repeat.value));
  const row = el("div", { class: "two" }, field(t("Repeat"), repeat, { name: "rule.freq" }), timesField);
  const rule = () => {
    if (!repeat.value) return null;
    const out = { freq: repeat.value === "monthly" ? "monthly" : "weekly", starts_on: day, occurrences: Number(times.value) };
    if (repeat.value === "weekly2") out.every_n = 2;
    if (repeat.value === "monthly") out.nth = nth;
    return out;
  };
  return { row, repeat, rule };
}

function occurrenceRow(o, picks) {
  const when = `${dayLabel(o.date)}${o.local_start ? ` · ${localTime(o.local_start)}` : ""}`;
  if (o.ok) {
    return el("li", { class: "sr-ok", "data-date": o.date },
      el("span", { class: "sr-when", text: when }),
      el("span", { class: "sr-state", text: o.reservation_id ? t("Booked") : t("Can be booked") }));
  }
  const li = el("li", { class: "sr-bad", "data-date": o.date },
    el("span", { class: "sr-when", text: when }),
    el("span", { class: "sr-state", text: `${REASONS[o.reason] || o.reason}${o.message ? `: ${o.message}` : ""}` }));
  const alt = o.alternative;
  if (alt && picks) {
    const box = el("input", { type: "checkbox", id: `alt-${o.date}`, "data-alt": o.date });
    box.addEventListener("change", () => {
      if (box.checked) picks.set(o.date, { date: o.date, alternative_date: alt.date, table_ids: alt.table_ids });
      else picks.delete(o.date);
    });
    li.append(el("label", { class: "check sr-alt" }, box,
      el("span", { text: t("Instead: {tables} on {day} · {time}", { tables: alt.tables.join(" + "), day: dayLabel(alt.date), time: localTime(alt.local_start) }) })));
  } else if (!alt) {
    li.append(el("span", { class: "muted small sr-alt", text: t("No alternative: it will not be booked.") }));
  }
  return li;
}

/** After the form's Preview: the list of dates and the button that books the series. */
export function previewPanel(ctx, body, preview, onDone) {
  const picks = new Map();
  const err = errorBox("series-error");
  const ok = preview.occurrences.filter((o) => o.ok).length;
  const submit = el("button", { type: "button", class: "btn btn-primary btn-block", id: "series-submit", text: t("Book the series") });
  submit.addEventListener("click", () => busy(submit, async () => {
    setError(err, "");
    try {
      const made = await ctx.api.createSeries({ ...body, accept: [...picks.values()] });
      const booked = made.occurrences.filter((o) => o.reservation_id).length;
      toast(t("Standing reservation: {booked} of {total} dates booked", { booked, total: made.occurrences.length }));
      onDone(made);
    } catch (p) {
      setError(err, staffMessage(p));
    }
  }));
  return el("div", { id: "series-preview", class: "series-preview" },
    el("p", { class: "strong", text: t("{ok} of {total} dates can be booked at {time} on {tables}", { ok, total: preview.occurrences.length, time: preview.time, tables: preview.tables.join(" + ") }) }),
    el("ul", { class: "sr-list" }, ...preview.occurrences.map((o) => occurrenceRow(o, picks))),
    err,
    submit);
}

/** After creation: what was booked and what was not, and the way to the series. */
export function createdPanel(made) {
  return el("div", { id: "series-created", class: "series-preview" },
    el("ul", { class: "sr-list" }, ...made.occurrences.map((o) => occurrenceRow(o, null))),
    el("p", { class: "small" }, el("a", { href: `#/series/${made.series.id}`, text: t("Open the standing reservation →") })));
}

// ---------- the view -------------------------------------------------------------------

export async function show(ctx, [sid] = []) {
  const root = $("series-root");
  root.replaceChildren(el("p", { class: "muted", text: t("Loading…") }));
  try {
    if (sid) root.replaceChildren(detail(ctx, await ctx.api.series(sid)));
    else root.replaceChildren(list((await ctx.api.seriesList()).items));
  } catch (p) {
    root.replaceChildren(el("p", { class: "error-box", text: staffMessage(p) }));
  }
}

function ruleText(x) {
  const day = WEEKDAYS[x.weekday];
  const how = x.freq === "monthly"
    ? t("The {nth} {weekday} of each month", { nth: ORDINALS[x.nth], weekday: day })
    : x.every_n === 1 ? t("Every {weekday}", { weekday: day }) : t("Every {n} weeks on {weekday}", { n: x.every_n, weekday: day });
  const end = x.occurrences ? `${x.occurrences} times` : `until ${dayLabel(x.until)}`;
  return `${how} at ${x.time}, ${end}`;
}

function list(items) {
  if (!items.length) {
    return el("p", { class: "muted", text: t("No standing reservations yet. Book a table by phone on Tonight and choose Repeat.") });
  }
  return el("ul", { class: "ov-list", id: "series-list" }, ...items.map((x) =>
    el("li", {}, el("a", { href: `#/series/${x.id}` },
      el("span", { class: "strong", text: x.guest_name }),
      el("span", { class: "muted", text: ` · ${t("party of {n}", { n: x.party_size })} · ${ruleText(x)}${x.status === "cancelled" ? ` · ${t("cancelled")}` : ""}` })))));
}

function detail(ctx, x) {
  const err = errorBox("series-cancel-error");
  const reason = el("input", { id: "series-reason", name: "reason", type: "text", maxlength: 300, placeholder: t("the guest sees it") });
  const cancel = (scope, date) => busy(document.activeElement, async () => {
    setError(err, "");
    if (!reason.value.trim()) return setError(err, t("Give a reason first: the guest sees it."));
    try {
      const out = await ctx.api.cancelSeries(x.id, { scope, date, reason: reason.value.trim() });
      const refunded = Object.values(out.refunds).reduce((n, r) => n + r.amount, 0);
      toast(`${plural(out.cancelled.length, t("{n} booking cancelled", { n: out.cancelled.length }), t("{n} bookings cancelled", { n: out.cancelled.length }))}${refunded ? t(", refunds by policy") : ""}`);
      $("series-root").replaceChildren(detail(ctx, out.series));
    } catch (p) {
      setError(err, staffMessage(p));
    }
    return undefined;
  });
  const rows = x.dates.map((d) => {
    const r = d.reservation;
    const tr = el("tr", { "data-date": d.date, class: d.in_series ? "" : "sr-ended" },
      el("td", { text: dayLabel(d.date) }),
      el("td", {}, r ? statusPill(r.status) : el("span", { class: "muted", text: REASONS[d.reason] || t("Not booked") })),
      r
        ? el("td", {}, el("a", { href: `#/reservations/${r.id}`, class: "sr-res", text: `${dayLabel(r.date)} · ${localTime(r.local_start)}` }))
        : el("td", { text: d.message || "" }));
    const act = el("td", { class: "sr-actions" });
    if (ctx.floor && r && ["confirmed", "hold", "pending_payment"].includes(r.status)) {
      act.append(
        button(t("This date"), "btn-ghost btn-compact", () => cancel("one", d.date), { "data-scope": "one" }),
        button(t("This and following"), "btn-ghost btn-compact", () => cancel("following", d.date), { "data-scope": "following" }));
    }
    tr.append(act);
    return tr;
  });
  const out = el("div", { class: "panel", id: "series-detail" },
    el("p", { class: "strong", text: `${x.guest?.name || t("Guest")} · ${t("party of {n}", { n: x.party_size })} · ${x.tables.join(" + ")}` }),
    el("p", { class: "muted", text: `${ruleText(x)}${x.status === "cancelled" ? " · cancelled" : ""}` }),
    el("p", { class: "muted small sr-rrule", text: `RRULE ${x.rrule}` }),
    el("table", { class: "tables-list sr-table" },
      el("caption", { class: "sr-only", text: t("Dates of the series") }),
      el("thead", {}, el("tr", {}, ...[t("Date"), t("Booking"), t("When"), t("Cancel")].map((h) => el("th", { scope: "col", text: h })))),
      el("tbody", {}, ...rows)));
  if (ctx.floor && x.status === "active") {
    out.append(field(t("Reason for cancelling"), reason, { name: "reason" }), err,
      button(t("Cancel the whole series"), "btn-danger-ghost", () => cancel("all"), { id: "series-cancel-all" }));
  }
  out.append(el("p", { class: "small" }, el("a", { href: "#/series", text: t("← All standing reservations") })));
  return out;
}
