// Rules: the booking rules form (built from the API's own field bounds and help), the
// pricing rules editor (tiers, adjustments, deposits) with the server's per-path errors
// shown at each input, and a preview of any night at a chosen occupancy.

import { money } from "../api.js";
import { staffMessage } from "./http.js";
import { $, busy, button, clearErrors, el, errorBox, field, setError, showErrors, toast } from "./ui.js";
import { renderDining } from "./dining_rules.js";
import { LOCALE, t } from "../i18n.js";

const LABELS = {
  hold_minutes: t("Hold time (minutes)"),
  payment_hold_minutes: t("Deposit hold (minutes)"),
  cutoff_minutes: t("Online cutoff (minutes before start)"),
  booking_window_days: t("Booking window (days ahead)"),
  min_party: t("Smallest party online"),
  max_party: t("Largest party online"),
  per_guest_daily_cap: t("Bookings per guest per night"),
  price_rounding_step: t("Price rounding step (minor units)"),
  cancel_cutoff_minutes: t("Guest cancel cutoff (minutes)"),
  service_opens_minutes: t("Seating opens (minutes before start)"),
  waitlist_offer_minutes: t("Waitlist offer time (minutes)"),
  waitlist_short_offer_minutes: t("Waitlist offer time near service (minutes)"),
  waitlist_short_within_minutes: t("Near service means within (minutes of start)"),
  guests_choose_tables: t("Guests choose their table (restaurants: 1 yes, 0 no)"),
};
const KINDS = ["weekday", "event_type", "demand", "pace", "lead_time"];
const WEEKDAYS = [t("Mon"), t("Tue"), t("Wed"), t("Thu"), t("Fri"), t("Sat"), t("Sun")];
const s = { ctx: null, rules: null, pricing: null, tableTiers: [] };

export async function show(ctx) {
  s.ctx = ctx;
  const root = $("rules-root");
  root.replaceChildren(el("p", { class: "muted", text: t("Loading…") }));
  try {
    let plan;
    [s.rules, s.pricing, plan] = await Promise.all([ctx.api.rules(), ctx.api.pricing(), ctx.api.plan()]);
    s.tableTiers = [...new Set(plan.tables.map((tb) => tb.tier))];
  } catch (p) {
    root.replaceChildren(el("p", { class: "error-box", text: staffMessage(p) }));
    return;
  }
  root.replaceChildren(
    ctx.manager ? "" : el("p", { class: "c-note", text: t("Read-only: only managers change rules.") }),
    el("div", { class: "rules-grid" },
      el("section", { class: "panel", id: "booking-rules" }),
      el("section", { class: "panel", id: "preview-panel" })),
    el("section", { class: "panel", id: "dining-panel", hidden: true }),
    el("section", { class: "panel", id: "pricing-panel" }),
  );
  renderDining(ctx, $("dining-panel"));
  renderRules();
  renderPricing();
  renderPreview();
}

// ---------- booking rules ---------------------------------------------------------------

function renderRules() {
  const r = s.rules;
  const ro = !s.ctx.manager;
  const inputs = {};
  const fields = Object.entries(r.fields).map(([name, meta]) => {
    const input = el("input", { type: "number", name, id: `rule-${name}`, value: String(r[name]), min: meta.min, max: meta.max, step: 1, inputmode: "numeric", disabled: ro });
    inputs[name] = input;
    input.addEventListener("input", () => check(name, meta, input));
    return field(LABELS[name] || name.replace(/_/g, " "), input, { help: `${meta.help} (${meta.min}–${meta.max})` });
  });
  const err = errorBox("rules-error");
  const form = el("form", { class: "rules-form", novalidate: true, id: "rules-form" },
    el("h2", { class: "panel-title", text: t("Booking rules") }),
    el("div", { class: "rule-fields" }, ...fields),
    err,
    ro ? null : el("div", { class: "row" }, el("button", { type: "submit", class: "btn btn-primary", id: "rules-save", text: t("Save rules") })),
    el("p", { class: "muted small", text: r.updated_at ? t("Version {version} · changed {when}. Changes are audited.", { version: r.version, when: new Date(r.updated_at).toLocaleString(LOCALE) }) : t("Version {version}. Changes are audited.", { version: r.version }) }));
  function check(name, meta, input) {
    const slot = form.querySelector(`[data-error-for="${name}"]`);
    const v = Number(input.value);
    const bad = input.value === "" || !Number.isInteger(v) ? t("Enter a whole number.") : v < meta.min || v > meta.max ? t("Must be between {min} and {max}.", { min: meta.min, max: meta.max }) : "";
    slot.textContent = bad;
    slot.hidden = !bad;
    if (bad) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
    return !bad;
  }
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    clearErrors(form);
    setError(err, "");
    const okAll = Object.entries(r.fields).map(([name, meta]) => check(name, meta, inputs[name])).every(Boolean);
    if (!okAll) {
      form.querySelector("[aria-invalid=true]")?.focus();
      return setError(err, t("Some rules are out of range. See the highlighted fields."));
    }
    const body = { version: r.version };
    for (const name of Object.keys(r.fields)) if (Number(inputs[name].value) !== r[name]) body[name] = Number(inputs[name].value);
    if (Object.keys(body).length === 1) return toast(t("Nothing changed"));
    return busy($("rules-save"), async () => {
      try {
        s.rules = await s.ctx.api.patchRules(body);
        toast(t("Rules saved"));
        renderRules();
      } catch (p) {
        if (p.code === "rules_changed") {
          s.rules = await s.ctx.api.rules();
          renderRules();
          setError($("rules-error"), staffMessage(p));
          return;
        }
        const left = showErrors(form, p.errors);
        setError(err, left.length ? left.map((e) => `${e.field}: ${e.message}`).join("; ") : staffMessage(p));
      }
    });
  });
  $("booking-rules").replaceChildren(form);
}

// ---------- pricing ---------------------------------------------------------------------

const cell = (input, path) => {
  input.dataset.path = path;
  input.setAttribute("aria-label", path);
  return el("td", { "data-field": path }, input, el("p", { class: "field-error", "data-error-for": path, hidden: true }));
};
const numIn = (v, step = 1) => el("input", { type: "number", value: v == null ? "" : String(v), step, inputmode: "numeric" });
function roundingInput(v) {
  const input = numIn(v);
  input.id = "pr-rounding";
  input.dataset.path = "rounding_step";
  return input;
}
const major = (v) => (v == null ? "" : v / 100);

function renderPricing() {
  const p = structuredClone(s.pricing);
  // A tier that has tables but no price (rules saved before that was checked): an empty
  // row to fill in, since its tables cannot be booked until it has one.
  for (const tier of s.tableTiers) {
    if (!p.tiers.some((tb) => tb.tier === tier)) p.tiers.push({ tier, base_minimum: null, floor: null, ceiling: null });
  }
  const ro = !s.ctx.manager;
  const cur = p.currency;
  const panel = $("pricing-panel");
  const form = el("form", { class: "pricing-form", novalidate: true, id: "pricing-form" });
  const tierRows = p.tiers.map((tb, i) => el("tr", {},
    el("th", { scope: "row", text: tb.tier }),
    cell(numIn(major(tb.base_minimum), "0.01"), `tiers[${i}].base_minimum`),
    cell(numIn(major(tb.floor), "0.01"), `tiers[${i}].floor`),
    cell(numIn(major(tb.ceiling), "0.01"), `tiers[${i}].ceiling`)));
  const adjRows = p.adjustments.map((a, i) => adjustmentRow(a, i, p));
  const depRows = p.deposits.map((d, i) => el("tr", {},
    cell(el("select", {}, new Option(t("All tiers"), ""), ...p.tiers.map((tb) => new Option(tb.tier, tb.tier, false, tb.tier === d.tier))), `deposits[${i}].tier`),
    cell(el("select", {}, ...["none", "percent", "flat", "per_cover"].map((m) => new Option(m, m, false, m === d.mode))), `deposits[${i}].mode`),
    cell(numIn(d.value), `deposits[${i}].value`),
    el("td", {}, ro ? "" : button(t("Remove"), "btn-ghost btn-compact", () => {
      s.pricing = collect(form, p);
      s.pricing.deposits.splice(i, 1);
      renderPricing();
    }))));
  const err = errorBox("pricing-error");
  form.append(
    el("h2", { class: "panel-title", text: t("Pricing") }),
    el("p", { class: "muted small", text: t("Amounts in {currency}. Percent values are basis points (2500 = 25%); fixed values are minor units (pence/cents); a per_cover deposit is minor units per guest, once per booking.", { currency: cur }) }),
    el("div", { class: "field", "data-field": "rounding_step" }, el("label", { for: "pr-rounding", text: t("Rounding step (minor units)") }),
      roundingInput(p.rounding_step),
      el("p", { class: "field-error", "data-error-for": "rounding_step", hidden: true })),
    el("h3", { text: t("Tiers") }),
    el("div", { class: "scroll-x" }, el("table", { class: "data-table edit-table" },
      el("thead", {}, el("tr", {}, ...[t("Tier"), t("Base minimum ({currency})", { currency: cur }), t("Floor ({currency})", { currency: cur }), t("Ceiling ({currency})", { currency: cur })].map((h) => el("th", { scope: "col", text: h })))),
      el("tbody", {}, ...tierRows))),
    el("h3", { text: t("Adjustments") }),
    el("div", { class: "scroll-x" }, el("table", { class: "data-table edit-table" },
      el("thead", {}, el("tr", {}, ...[t("Label"), t("Kind"), t("Mode"), t("Value"), t("Tier"), t("When"), ""].map((h) => el("th", { scope: "col", text: h })))),
      el("tbody", {}, ...adjRows))),
    ro ? "" : button(t("+ Adjustment"), "btn-ghost btn-compact", () => {
      s.pricing = collect(form, p);
      s.pricing.adjustments.push({ kind: "weekday", mode: "percent", value: 1000, tier: null, weekdays: [5], event_types: [], threshold_bp: 0, scope: "tier", within_hours: 0, label: t("New adjustment"), position: 0 });
      renderPricing();
    }),
    el("h3", { text: t("Deposits") }),
    el("div", { class: "scroll-x" }, el("table", { class: "data-table edit-table" },
      el("thead", {}, el("tr", {}, ...[t("Tier"), t("Mode"), t("Value (bp or minor units)"), ""].map((h) => el("th", { scope: "col", text: h })))),
      el("tbody", {}, ...depRows))),
    ro ? "" : button(t("+ Deposit policy"), "btn-ghost btn-compact", () => {
      s.pricing = collect(form, p);
      s.pricing.deposits.push({ mode: "percent", value: 2500, tier: p.tiers[0]?.tier || null });
      renderPricing();
    }),
    err,
    ro ? "" : el("div", { class: "row" }, el("button", { type: "submit", class: "btn btn-primary", id: "pricing-save", text: t("Save pricing") }),
      button(t("Discard changes"), "btn-ghost", () => show(s.ctx))),
  );
  if (ro) form.querySelectorAll("input,select").forEach((i) => (i.disabled = true));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    clearErrors(form);
    setError(err, "");
    const body = collect(form, p);
    busy($("pricing-save"), async () => {
      try {
        s.pricing = await s.ctx.api.putPricing(body);
        toast(t("Pricing saved"));
        renderPricing();
        renderPreview();
      } catch (e) {
        const left = showErrors(form, e.errors);
        setError(err, left.length ? `${staffMessage(e)} ${left.map((x) => `${x.field}: ${x.message}`).join("; ")}` : staffMessage(e));
      }
    });
  });
  panel.replaceChildren(form);
}

function adjustmentRow(a, i, p) {
  const pre = `adjustments[${i}]`;
  const kind = el("select", {}, ...KINDS.map((k) => new Option(k.replace("_", " "), k, false, k === a.kind)));
  const when = el("div", { class: "adj-when" });
  const days = el("div", { class: "weekdays", "data-path": `${pre}.weekdays` }, ...WEEKDAYS.map((d, n) =>
    el("label", { class: "chip-check" }, el("input", { type: "checkbox", value: String(n), checked: a.weekdays.includes(n) }), el("span", { text: d }))));
  const events = el("input", { type: "text", value: a.event_types.join(", "), placeholder: t("headliner, industry"), "data-path": `${pre}.event_types`, "aria-label": `${pre}.event_types` });
  const threshold = el("input", { type: "number", value: String(a.threshold_bp), "data-path": `${pre}.threshold_bp`, "aria-label": `${pre}.threshold_bp` });
  const scope = el("select", { "data-path": `${pre}.scope`, "aria-label": `${pre}.scope` }, ...["tier", "night"].map((x) => new Option(x, x, false, x === a.scope)));
  const hours = el("input", { type: "number", value: String(a.within_hours), "data-path": `${pre}.within_hours`, "aria-label": `${pre}.within_hours` });
  const err = (f) => el("p", { class: "field-error", "data-error-for": `${pre}.${f}`, hidden: true });
  const showWhen = () => {
    const k = kind.value;
    when.replaceChildren(
      ...(k === "weekday" ? [days, err("weekdays")] : []),
      ...(k === "event_type" ? [events, err("event_types")] : []),
      ...(k === "demand" || k === "pace" ? [el("label", { class: "mini", text: t("≥ bp taken") }), threshold, err("threshold_bp")] : []),
      ...(k === "demand" ? [scope, err("scope")] : []),
      ...(k === "lead_time" ? [el("label", { class: "mini", text: t("within hours") }), hours, err("within_hours")] : []),
    );
  };
  kind.addEventListener("change", showWhen);
  showWhen();
  const row = el("tr", { "data-adj": String(i) },
    cell(el("input", { type: "text", value: a.label, maxlength: 80 }), `${pre}.label`),
    cell(kind, `${pre}.kind`),
    cell(el("select", {}, ...["percent", "fixed"].map((m) => new Option(m, m, false, m === a.mode))), `${pre}.mode`),
    cell(numIn(a.value), `${pre}.value`),
    cell(el("select", {}, new Option(t("All"), ""), ...p.tiers.map((tb) => new Option(tb.tier, tb.tier, false, tb.tier === a.tier))), `${pre}.tier`),
    el("td", { "data-field": `${pre}.when` }, when),
    el("td", {}, s.ctx.manager ? button(t("Remove"), "btn-ghost btn-compact", (ev) => {
      const form = ev.currentTarget.closest("form");
      s.pricing = collect(form, p);
      s.pricing.adjustments.splice(i, 1);
      renderPricing();
    }) : ""));
  row._extra = { kind, days, events, threshold, scope, hours, position: a.position };
  return row;
}

/** Read the form back into the pricing rules' JSON shape (amounts to minor units). */
function collect(form, p) {
  const val = (path) => form.querySelector(`[data-path="${CSS.escape(path)}"]`);
  const int = (path) => {
    const v = val(path)?.value;
    return v === "" || v == null ? null : Number(v);
  };
  const minor = (path) => {
    const v = val(path)?.value;
    return v === "" || v == null ? null : Math.round(Number(v) * 100);
  };
  const out = structuredClone(p);
  out.rounding_step = int("rounding_step");
  out.tiers = p.tiers.map((tb, i) => ({ ...tb, base_minimum: minor(`tiers[${i}].base_minimum`), floor: minor(`tiers[${i}].floor`), ceiling: minor(`tiers[${i}].ceiling`) }));
  out.adjustments = [...form.querySelectorAll("tr[data-adj]")].map((row) => {
    const i = Number(row.dataset.adj);
    const x = row._extra;
    const k = x.kind.value;
    return {
      kind: k,
      mode: val(`adjustments[${i}].mode`).value,
      value: int(`adjustments[${i}].value`),
      tier: val(`adjustments[${i}].tier`).value || null,
      weekdays: k === "weekday" ? [...x.days.querySelectorAll("input:checked")].map((c) => Number(c.value)) : [],
      event_types: k === "event_type" ? x.events.value.split(",").map((v) => v.trim()).filter(Boolean) : [],
      threshold_bp: k === "demand" || k === "pace" ? Number(x.threshold.value || 0) : 0,
      scope: k === "demand" ? x.scope.value : "tier",
      within_hours: k === "lead_time" ? Number(x.hours.value || 0) : 0,
      label: val(`adjustments[${i}].label`).value,
      position: x.position ?? 0,
    };
  });
  out.deposits = p.deposits.map((d, i) => ({
    tier: val(`deposits[${i}].tier`).value || null,
    mode: val(`deposits[${i}].mode`).value,
    value: int(`deposits[${i}].value`) ?? 0,
  }));
  return out;
}

// ---------- preview ---------------------------------------------------------------------

function renderPreview() {
  const box = $("preview-panel");
  const day = el("input", { type: "date", id: "pv-date", value: new Date().toISOString().slice(0, 10) });
  const taken = el("input", { type: "range", id: "pv-taken", min: 0, max: 100, step: 5, value: 50 });
  const out = el("output", { id: "pv-taken-out", for: "pv-taken", text: "50%" });
  const result = el("div", { id: "pv-result", "aria-live": "polite" });
  let timer;
  const run = async () => {
    out.textContent = `${taken.value}%`;
    if (!day.value) return;
    try {
      const rows = await s.ctx.api.preview(day.value, Number(taken.value) * 100);
      result.replaceChildren(previewTable(rows));
    } catch (p) {
      result.replaceChildren(el("p", { class: "error-box", text: staffMessage(p) }));
    }
  };
  const later = () => {
    out.textContent = `${taken.value}%`;
    clearTimeout(timer);
    timer = setTimeout(run, 200);
  };
  day.addEventListener("change", run);
  taken.addEventListener("input", later);
  box.replaceChildren(
    el("h2", { class: "panel-title", text: t("Preview a night") }),
    el("div", { class: "two" }, field(t("Night"), day), el("div", { class: "field" }, el("label", { for: "pv-taken", text: t("Occupancy") }), el("div", { class: "range-row" }, taken, out))),
    result,
  );
  run();
}

function previewTable(rows) {
  if (!rows.length) return el("p", { class: "muted", text: t("No tables that night (closed, or no night).") });
  const cur = s.pricing.currency;
  // One line per distinct price: tables of a tier usually share theirs.
  const groups = new Map();
  for (const r of rows) {
    const key = `${r.tier}|${r.minimum}|${r.deposit}|${JSON.stringify(r.lines)}`;
    if (!groups.has(key)) groups.set(key, { ...r, labels: [] });
    groups.get(key).labels.push(r.label);
  }
  return el("div", { class: "pv-list" }, ...[...groups.values()].map((g) =>
    el("details", { class: "pv-item" },
      el("summary", {}, el("span", { class: `tier-chip tier-${g.tier}`, text: g.tier }), el("span", { class: "pv-labels", text: g.labels.join(", ") }),
        el("strong", { class: "num", text: money(g.minimum, cur) }), el("span", { class: "muted small", text: g.unavailable_reason ? t("not bookable: {reason}", { reason: g.unavailable_reason }) : g.deposit ? t("deposit {amount}", { amount: money(g.deposit, cur) }) : t("no deposit") })),
      el("table", { class: "data-table compact" }, el("tbody", {}, ...(g.lines || []).map((l) =>
        el("tr", {}, el("td", { text: l.label }), el("td", { class: "num", text: `${l.delta >= 0 ? "+" : ""}${money(l.delta, cur)}` }), el("td", { class: "num muted", text: money(l.total_after, cur) }))))))));
}
