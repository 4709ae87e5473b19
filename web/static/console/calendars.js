// Calendars both ways: secret feed URLs of the venue's bookings for staff calendar apps,
// and external calendars (a URL or an uploaded .ics) whose busy events block tables.
// A feed's URL is shown once, when it is made or rotated; the server keeps only its hash.

import { staffMessage } from "./http.js";
import { $, busy, button, el, errorBox, field, setError, toast, when } from "./ui.js";
import { plural, t } from "../i18n.js";

const s = { ctx: null, areas: [], tables: [] };

export async function show(ctx) {
  s.ctx = ctx;
  const root = $("calendars-root");
  root.replaceChildren(el("p", { class: "muted", text: t("Loading…") }));
  let feeds;
  let imports;
  try {
    const plan = await ctx.api.plan();
    s.areas = plan.areas;
    s.tables = plan.tables.filter((tb) => tb.is_active !== false).sort((a, b) => a.label.localeCompare(b.label, undefined, { numeric: true }));
    [feeds, imports] = await Promise.all([ctx.api.calendarFeeds(), ctx.api.calendarImports()]);
  } catch (p) {
    root.replaceChildren(el("p", { class: "error-box", text: staffMessage(p) }));
    return;
  }
  root.replaceChildren(
    el("div", { class: "clo-grid" },
      el("section", { class: "panel", "aria-labelledby": "cal-feeds-h" }, ...feedsPanel(feeds)),
      el("section", { class: "panel", "aria-labelledby": "cal-imports-h" }, ...importsPanel(imports))),
  );
}

// --- feeds out ------------------------------------------------------------------------

function feedsPanel(feeds) {
  const err = errorBox("cal-feed-err");
  const out = el("div", { id: "cal-feed-url" });
  const label = el("input", { name: "label", type: "text", maxlength: 120, value: t("Bookings"), required: true });
  const scope = el("select", { name: "area_id" },
    new Option(t("Whole venue"), ""), ...s.areas.map((a) => new Option(t("Area: {name}", { name: a.name }), a.id)));
  const form = el("form", { class: "stack", novalidate: true },
    el("div", { class: "two" }, field(t("Name"), label), field(t("Bookings of"), scope)),
    err,
    el("div", { class: "row" }, el("button", { type: "submit", class: "btn btn-primary", id: "cal-feed-add", text: t("Create feed URL") })));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    return busy(ev.submitter, async () => {
      setError(err, "");
      try {
        const made = await s.ctx.api.addCalendarFeed({ label: label.value.trim(), area_id: scope.value || null });
        await show(s.ctx);
        showUrl(made);
      } catch (p) {
        setError(err, staffMessage(p));
      }
    });
  });
  const list = feeds.length
    ? el("ul", { class: "block-list", id: "cal-feed-list" }, ...feeds.map(feedRow))
    : el("p", { class: "muted", text: t("No feeds yet.") });
  return [
    el("h2", { class: "panel-title", id: "cal-feeds-h", text: t("Calendar feeds") }),
    el("p", { class: "muted small", text: t("Subscribe Google Calendar, Outlook or Apple Calendar to a secret address: bookings appear in the venue's time and update as they change. The address is shown once; rotate it if it leaks.") }),
    out,
    list,
    form,
  ];
}

function scopeText(f) {
  if (f.scope === "area") return t("Area: {name}", { name: s.areas.find((a) => a.id === f.area_id)?.name || "?" });
  if (f.scope === "host") return t("One host's clients");
  return t("Whole venue");
}

function feedRow(f) {
  const err = errorBox(`cal-feed-err-${f.id}`);
  const act = (text, cls, fn) => button(text, `${cls} btn-compact`, (ev) => busy(ev.currentTarget, async () => {
    try {
      await fn();
    } catch (p) {
      setError(err, staffMessage(p));
    }
  }), { "aria-label": `${text} ${f.label}` });
  return el("li", { "data-feed": f.id },
    el("div", { class: "row" },
      el("strong", { text: f.label }),
      el("span", { class: "muted", text: ` ${scopeText(f)} · since ${when(f.rotated_at || f.created_at)}` })),
    el("div", { class: "row" },
      act(t("New address"), "btn-ghost", async () => {
        const made = await s.ctx.api.rotateCalendarFeed(f.id);
        await show(s.ctx);
        showUrl(made, t("The old address has stopped working."));
      }),
      act(t("Stop feed"), "btn-danger", async () => {
        await s.ctx.api.revokeCalendarFeed(f.id);
        toast(t("{label}: feed stopped", { label: f.label }));
        await show(s.ctx);
      })),
    err);
}

function showUrl(made, note) {
  const input = el("input", { type: "text", readonly: true, value: made.url, id: "cal-url", class: "mono" });
  const copy = button(t("Copy"), "btn-primary btn-compact", async () => {
    try {
      await navigator.clipboard.writeText(made.url);
      toast(t("Address copied"));
    } catch {
      input.select();
    }
  });
  $("cal-feed-url").replaceChildren(
    el("div", { class: "c-note", role: "status" },
      el("p", { text: `${t("{label}: copy this address into your calendar app now (it is not shown again).", { label: made.label })}${note ? ` ${note}` : ""}` }),
      field(t("Feed address"), input),
      el("div", { class: "row" }, copy)),
  );
  input.focus();
  input.select();
}

// --- calendars in ---------------------------------------------------------------------

function importsPanel(imports) {
  const err = errorBox("cal-imp-err");
  const label = el("input", { name: "label", type: "text", maxlength: 120, placeholder: t("e.g. Private hire"), required: true });
  const url = el("input", { name: "url", type: "url", maxlength: 2000, placeholder: t("https://… (leave empty to upload a file)") });
  const boxes = s.tables.map((tb) => el("label", { class: "chip-check" },
    el("input", { type: "checkbox", name: "table_ids", value: tb.id }), el("span", { text: tb.label })));
  const form = el("form", { class: "stack", novalidate: true },
    el("div", { class: "two" }, field(t("Name"), label), field(t("Calendar address"), url)),
    el("fieldset", { class: "table-picks", "data-field": "table_ids" },
      el("legend", { text: t("Tables a busy event takes (none ticked: every table)") }), ...boxes),
    err,
    el("div", { class: "row" }, el("button", { type: "submit", class: "btn btn-primary", id: "cal-imp-add", text: t("Add calendar") })));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (!label.value.trim()) return setError(err, t("Give the calendar a name."));
    return busy(ev.submitter, async () => {
      setError(err, "");
      try {
        const tableIds = boxes.map((b) => b.querySelector("input")).filter((i) => i.checked).map((i) => i.value);
        await s.ctx.api.addCalendarImport({ label: label.value.trim(), url: url.value.trim() || null, table_ids: tableIds });
        toast(url.value.trim() ? t("Calendar added: it is read within a minute") : t("Calendar added: upload its .ics file"));
        await show(s.ctx);
      } catch (p) {
        setError(err, staffMessage(p));
      }
    });
  });
  const list = imports.length
    ? el("ul", { class: "block-list", id: "cal-imp-list" }, ...imports.map(importRow))
    : el("p", { class: "muted", text: t("No calendars imported.") });
  return [
    el("h2", { class: "panel-title", id: "cal-imports-h", text: t("Imported calendars") }),
    el("p", { class: "muted small", text: t("Busy events of another calendar (private hire, a venue events calendar) block tables on the nights they overlap. Removing the event there puts the tables back; a table already booked is listed here, never taken.") }),
    list,
    form,
  ];
}

function tablesText(imp) {
  if (!imp.table_ids.length) return t("every table");
  return imp.table_ids.map((id) => s.tables.find((tb) => tb.id === id)?.label || "?").join(", ");
}

function importRow(imp) {
  const err = errorBox(`cal-imp-err-${imp.id}`);
  const result = el("div", { class: "cal-result", role: "status" });
  const act = (text, cls, fn) => button(text, `${cls} btn-compact`, (ev) => busy(ev.currentTarget, async () => {
    setError(err, "");
    try {
      await fn();
    } catch (p) {
      setError(err, staffMessage(p));
    }
  }), { "aria-label": `${text}: ${imp.label}` });
  const file = el("input", { type: "file", accept: ".ics,text/calendar", class: "sr-only", id: `cal-file-${imp.id}` });
  file.addEventListener("change", async () => {
    const chosen = file.files?.[0];
    if (!chosen) return;
    setError(err, "");
    try {
      const out = await s.ctx.api.uploadCalendar(imp.id, await chosen.text());
      await show(s.ctx);
      const row = document.querySelector(`[data-import="${CSS.escape(imp.id)}"] .cal-result`);
      if (row) row.replaceChildren(...summary(out));
    } catch (p) {
      setError(err, staffMessage(p));
    }
  });
  const read = imp.last_synced_at ? plural(imp.events, t("read {when}, {n} busy event", { when: when(imp.last_synced_at), n: imp.events }), t("read {when}, {n} busy events", { when: when(imp.last_synced_at), n: imp.events })) : t("not read yet");
  return el("li", { "data-import": imp.id },
    el("div", { class: "row" },
      el("strong", { text: imp.label }),
      el("span", { class: "muted", text: ` ${imp.url ? t("from its address") : t("uploaded")} · ${tablesText(imp)} · ${read}` })),
    imp.last_error ? el("p", { class: "c-warn", text: t("Last attempt failed: {error}", { error: imp.last_error }) }) : null,
    el("div", { class: "row" },
      file,
      el("label", { for: file.id, class: "btn btn-ghost btn-compact", text: t("Upload .ics") }),
      imp.url ? act(t("Read now"), "btn-ghost", async () => {
        await s.ctx.api.refreshCalendar(imp.id);
        toast(t("{label}: read within a minute", { label: imp.label }));
      }) : null,
      act(t("Remove"), "btn-danger", async () => {
        const out = await s.ctx.api.removeCalendar(imp.id);
        toast(plural(out.unblocked, t("{label} removed; {n} table block lifted", { label: imp.label, n: out.unblocked }), t("{label} removed; {n} table blocks lifted", { label: imp.label, n: out.unblocked })));
        await show(s.ctx);
      })),
    result,
    err);
}

function summary(out) {
  const parts = [el("p", { text: `${plural(out.events, t("{n} busy event", { n: out.events }), t("{n} busy events", { n: out.events }))}: ${plural(out.added, t("{n} block added", { n: out.added }), t("{n} blocks added", { n: out.added }))}, ${t("{n} lifted.", { n: out.removed })}` })];
  if (out.conflicts.length) {
    parts.push(el("p", { class: "c-warn", text: t("Booked already, so not blocked (move or cancel these bookings if the event stands):") }),
      el("ul", {}, ...out.conflicts.map((c) => el("li", { text: `${c.date} · ${c.table} · ${c.event}` }))));
  }
  return parts;
}
