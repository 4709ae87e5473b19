// Standing reservations: the "Repeat" part of the phone booking form (a preview listing
// each date and whether it can be honoured, with the alternative offered), and the
// series view (#/series, #/series/<id>) to read one and cancel one date, this and the
// following ones, or all of it. Each cancelled booking is refunded by the venue's policy.

import { dayLabel, localTime } from "../api.js";
import { staffMessage } from "./http.js";
import { $, busy, button, el, errorBox, field, setError, statusPill, toast } from "./ui.js";
import { t } from "../i18n.js";

export const REASONS = {
  no_night: "No night set up",
  night_closed: "Closed",
  no_sitting: "No sitting at that time",
  table_taken: "Table taken",
  table_blocked: "Table blocked",
  table_unavailable: "Table just taken",
  past: "Already started",
};
const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const ORDINALS = { 1: "first", 2: "second", 3: "third", 4: "fourth", "-1": "last" };

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
    new Option(`Every week (${weekday})`, "weekly"),
    new Option(`Every 2 weeks (${weekday})`, "weekly2"),
    new Option(`The ${ORDINALS[nth]} ${weekday} of each month`, "monthly"));
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
      el("span", { class: "sr-state", text: o.reservation_id ? "Booked" : "Can be booked" }));
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
      el("span", { text: `Instead: ${alt.tables.join(" + ")} on ${dayLabel(alt.date)} · ${localTime(alt.local_start)}` })));
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
      toast(`Standing reservation: ${booked} of ${made.occurrences.length} dates booked`);
      onDone(made);
    } catch (p) {
      setError(err, staffMessage(p));
    }
  }));
  return el("div", { id: "series-preview", class: "series-preview" },
    el("p", { class: "strong", text: `${ok} of ${preview.occurrences.length} dates can be booked at ${preview.time} on ${preview.tables.join(" + ")}` }),
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
    ? `The ${ORDINALS[x.nth]} ${day} of each month`
    : x.every_n === 1 ? `Every ${day}` : `Every ${x.every_n} weeks on ${day}`;
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
      el("span", { class: "muted", text: ` · party of ${x.party_size} · ${ruleText(x)}${x.status === "cancelled" ? " · cancelled" : ""}` })))));
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
      toast(`${out.cancelled.length} booking${out.cancelled.length === 1 ? "" : "s"} cancelled${refunded ? `, refunds by policy` : ""}`);
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
      el("td", {}, r ? statusPill(r.status) : el("span", { class: "muted", text: REASONS[d.reason] || "Not booked" })),
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
    el("p", { class: "strong", text: `${x.guest?.name || "Guest"} · party of ${x.party_size} · ${x.tables.join(" + ")}` }),
    el("p", { class: "muted", text: `${ruleText(x)}${x.status === "cancelled" ? " · cancelled" : ""}` }),
    el("p", { class: "muted small sr-rrule", text: `RRULE ${x.rrule}` }),
    el("table", { class: "tables-list sr-table" },
      el("caption", { class: "sr-only", text: t("Dates of the series") }),
      el("thead", {}, el("tr", {}, ...["Date", "Booking", "When", "Cancel"].map((h) => el("th", { scope: "col", text: h })))),
      el("tbody", {}, ...rows)));
  if (ctx.floor && x.status === "active") {
    out.append(field(t("Reason for cancelling"), reason, { name: "reason" }), err,
      button(t("Cancel the whole series"), "btn-danger-ghost", () => cancel("all"), { id: "series-cancel-all" }));
  }
  out.append(el("p", { class: "small" }, el("a", { href: "#/series", text: t("← All standing reservations") })));
  return out;
}
