// A restaurant's service periods (per weekday, or one date's exception) and turn times by
// party size: rows the manager edits and saves whole. Shown for a venue that has any.

import { staffMessage } from "./http.js";
import { busy, button, el, errorBox, setError, toast } from "./ui.js";
import { t } from "../i18n.js";

const DAYS = [t("Mon"), t("Tue"), t("Wed"), t("Thu"), t("Fri"), t("Sat"), t("Sun")];
const input = (type, value, label, attrs = {}) =>
  el("input", { type, value: value == null ? "" : String(value), "aria-label": label, ...attrs });

function periodRow(p, ro, remove) {
  const when = el("select", { "aria-label": t("Day"), disabled: ro },
    ...DAYS.map((d, i) => new Option(d, String(i), false, p.weekday === i)),
    new Option(t("One date"), "date", false, p.on_date != null));
  const date = input("date", p.on_date, t("Date"), { hidden: p.on_date == null, disabled: ro });
  when.addEventListener("change", () => (date.hidden = when.value !== "date"));
  const cells = {
    name: input("text", p.name, t("Name"), { maxlength: 60, disabled: ro }),
    first_start: input("time", p.first_start, t("First start"), { disabled: ro }),
    last_start: input("time", p.last_start, t("Last start"), { disabled: ro }),
    interval_minutes: input("number", p.interval_minutes, t("Every (minutes)"), { min: 5, max: 240, disabled: ro }),
    covers_limit: input("number", p.covers_limit, t("Covers limit"), { min: 0, disabled: ro }),
    pacing_covers: input("number", p.pacing_covers, t("Covers per slot"), { min: 1, disabled: ro }),
    is_closed: el("input", { type: "checkbox", "aria-label": t("Closed"), disabled: ro }),
  };
  cells.is_closed.checked = !!p.is_closed;
  const row = el("tr", {},
    el("td", {}, cells.name), el("td", {}, when, date),
    ...["first_start", "last_start", "interval_minutes", "covers_limit", "pacing_covers", "is_closed"].map((k) => el("td", {}, cells[k])),
    el("td", {}, ro ? "" : button(t("Remove"), "btn-ghost btn-compact", () => remove(row))));
  row.read = () => ({
    name: cells.name.value.trim(),
    weekday: when.value === "date" ? null : Number(when.value),
    on_date: when.value === "date" ? date.value || null : null,
    first_start: cells.first_start.value,
    last_start: cells.last_start.value,
    interval_minutes: Number(cells.interval_minutes.value || 15),
    covers_limit: Number(cells.covers_limit.value || 0),
    pacing_covers: cells.pacing_covers.value === "" ? null : Number(cells.pacing_covers.value),
    is_closed: cells.is_closed.checked,
  });
  return row;
}

function turnRow(tb, ro, remove) {
  const party = input("number", tb.min_party, t("From party size"), { min: 1, disabled: ro });
  const minutes = input("number", tb.minutes, t("Minutes"), { min: 15, disabled: ro });
  const row = el("tr", {}, el("td", {}, party), el("td", {}, minutes),
    el("td", {}, ro ? "" : button(t("Remove"), "btn-ghost btn-compact", () => remove(row))));
  row.read = () => ({ min_party: Number(party.value), minutes: Number(minutes.value) });
  return row;
}

export async function renderDining(ctx, panel) {
  let rules;
  try {
    rules = await ctx.api.diningRules();
  } catch {
    return;
  }
  if (!rules.periods.length && !rules.turn_times.length) return; // a club
  const ro = !ctx.manager;
  const remove = (row) => row.remove();
  const periods = el("tbody", {}, ...rules.periods.map((p) => periodRow(p, ro, remove)));
  const turns = el("tbody", {}, ...rules.turn_times.map((tb) => turnRow(tb, ro, remove)));
  const err = errorBox("dining-error");
  const save = button(t("Save service and turn times"), "btn-primary", async () => {
    setError(err, "");
    await busy(save, async () => {
      try {
        await ctx.api.putDiningRules({
          periods: [...periods.rows].map((r) => r.read()),
          turn_times: [...turns.rows].map((r) => r.read()),
        });
        toast(t("Service periods and turn times saved. Dates already open keep theirs."));
      } catch (p) {
        const where = (p.errors || []).map((e) => `${e.field}: ${e.message}`).join("; ");
        setError(err, where || staffMessage(p));
      }
    });
  });
  const head = (...h) => el("thead", {}, el("tr", {}, ...h.map((x) => el("th", { scope: "col", text: x }))));
  panel.replaceChildren(
    el("h2", { text: t("Service periods and sittings") }),
    el("p", { class: "muted small", text: t("A fixed sitting starts once (first = last start); rolling times start every few minutes between them. A date's rows replace its weekday's.") }),
    el("div", { class: "table-scroll" }, el("table", { class: "data-table dining-periods" },
      head(t("Name"), t("Day"), t("First start"), t("Last start"), t("Every (min)"), t("Covers"), t("Per slot"), t("Closed"), ""), periods)),
    ro ? "" : button(t("Add a period"), "btn-ghost", () => periods.append(periodRow({ name: t("Dinner"), weekday: 0, first_start: "18:00", last_start: "21:00", interval_minutes: 15, covers_limit: 40 }, ro, remove))),
    el("h3", { text: t("Turn times by party size") }),
    el("table", { class: "data-table dining-turns" }, head(t("From party of"), t("Minutes"), ""), turns),
    ro ? "" : button(t("Add a turn time"), "btn-ghost", () => turns.append(turnRow({ min_party: 1, minutes: 90 }, ro, remove))),
    err,
    ro ? "" : el("p", {}, save),
  );
  panel.hidden = false;
}
