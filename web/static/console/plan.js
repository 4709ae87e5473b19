// The floor plan editor (managers): drag tables (saved on drop), resize by the corner
// handle, rotate, relabel, re-tier, set capacity and area; add and delete tables; areas;
// join links. Geometry snaps to a grid. The plan is data: every change is an API call.

import { tierName } from "../api.js";
import { center, shapeFor, svg } from "../floor.js";
import { staffMessage } from "./http.js";
import { $, busy, button, clearErrors, el, errorBox, field, majorToMinor, minorToMajor, setError, showErrors, toast } from "./ui.js";
import { t } from "../i18n.js";

const SHAPES = ["round", "square", "rect", "booth", "bar"];
const s = { ctx: null, plan: null, selected: null, snap: 10, drag: null };

const snap = (v) => Math.round(v / s.snap) * s.snap;
const clamp = (v, lo, hi) => Math.min(Math.max(v, lo), hi);

export async function show(ctx) {
  s.ctx = ctx;
  const root = $("plan-root");
  if (!root.firstChild) build(root);
  await load();
}

function build(root) {
  const snapSel = el("select", { id: "plan-snap", "aria-label": t("Grid") }, ...[5, 10, 20, 40].map((n) => new Option(t("Grid {n}", { n }), String(n), false, n === s.snap)));
  snapSel.addEventListener("change", () => {
    s.snap = Number(snapSel.value);
    draw();
  });
  root.replaceChildren(
    el("div", { class: "plan-bar" },
      button(t("+ Table"), "btn-primary btn-compact", (ev) => busy(ev.currentTarget, addTable), { id: "plan-add-table" }),
      button(t("+ Area"), "btn-ghost btn-compact", addArea, { id: "plan-add-area" }),
      snapSel,
      el("span", { class: "muted small", id: "plan-status", role: "status", text: t("Drag a table to move it; drag its corner dot to resize.") })),
    el("div", { class: "plan-grid" },
      el("div", { class: "panel plan-canvas-wrap" }, svg("svg", { id: "plan-svg", class: "plan-svg", role: "application", "aria-label": t("Floor plan editor") })),
      el("aside", { class: "panel side", id: "plan-side" })),
  );
  const board = $("plan-svg");
  board.addEventListener("pointermove", onMove);
  board.addEventListener("pointerup", onUp);
  board.addEventListener("pointercancel", () => {
    s.drag = null;
    draw();
  });
  board.addEventListener("pointerdown", (ev) => {
    if (ev.target === board || ev.target.classList.contains("grid-bg")) select(null);
  });
}

async function load() {
  try {
    s.plan = await s.ctx.api.plan();
  } catch (p) {
    $("plan-side").replaceChildren(el("p", { class: "error-box", text: staffMessage(p) }));
    return;
  }
  if (s.selected && !s.plan.tables.some((tb) => tb.id === s.selected)) s.selected = null;
  draw();
  renderSide();
}

const tableById = (id) => s.plan.tables.find((tb) => tb.id === id);
const areaName = (id) => s.plan.areas.find((a) => a.id === id)?.name || "";

// ---------- drawing --------------------------------------------------------------------

function draw() {
  const p = s.plan;
  const board = $("plan-svg");
  board.setAttribute("viewBox", `-20 -20 ${p.width + 40} ${p.height + 40}`);
  const defs = svg("defs", {}, svg("pattern", { id: "plan-grid", width: s.snap * 4, height: s.snap * 4, patternUnits: "userSpaceOnUse" },
    svg("path", { d: `M ${s.snap * 4} 0 L 0 0 0 ${s.snap * 4}`, class: "grid-line" })));
  const bg = svg("rect", { class: "grid-bg", x: 0, y: 0, width: p.width, height: p.height });
  const areas = svg("g", { class: "plan-areas" });
  const byArea = new Map();
  for (const tb of p.tables) if (tb.area_id) byArea.set(tb.area_id, [...(byArea.get(tb.area_id) || []), tb]);
  for (const [aid, list] of byArea) {
    const x0 = Math.min(...list.map((tb) => tb.x)) - 14;
    const y0 = Math.min(...list.map((tb) => tb.y)) - 14;
    const x1 = Math.max(...list.map((tb) => tb.x + tb.width)) + 14;
    const y1 = Math.max(...list.map((tb) => tb.y + tb.height)) + 14;
    areas.append(svg("rect", { class: "area", x: x0, y: y0, width: x1 - x0, height: y1 - y0, rx: 12 }),
      svg("text", { class: "area-label", x: x0 + 2, y: y0 - 6 }, areaName(aid).toUpperCase()));
  }
  const links = svg("g", { class: "plan-links" });
  for (const [a, b] of p.links) {
    const ta = tableById(a);
    const tb = tableById(b);
    if (!ta || !tb) continue;
    const ca = center(ta);
    const cb = center(tb);
    links.append(svg("line", { class: "link-line", x1: ca.x, y1: ca.y, x2: cb.x, y2: cb.y }));
  }
  const tables = svg("g", {});
  for (const tb of p.tables) tables.append(tableNode(tb));
  board.replaceChildren(defs, bg, areas, links, tables);
}

function tableNode(tb) {
  const c = center(tb);
  const rot = svg("g", { transform: `rotate(${tb.rotation || 0})` }, shapeFor(tb, "shape"));
  const g = svg("g", {
    class: `tbl ed-tbl state-free tier-${tb.tier}${tb.id === s.selected ? " selected" : ""}`,
    transform: `translate(${c.x} ${c.y})`,
    "data-table-id": tb.id,
    "data-label": tb.label,
    "data-x": tb.x,
    "data-y": tb.y,
    tabindex: "0",
    role: "button",
    "aria-label": t("Table {label}, {tier}, at {x}, {y}", { label: tb.label, tier: tierName(tb.tier), x: tb.x, y: tb.y }),
  }, rot, svg("text", { class: "t-label", y: 7 }, tb.label));
  if (tb.id === s.selected) {
    const handle = svg("circle", { class: "resize-handle", cx: tb.width / 2, cy: tb.height / 2, r: 9, "data-handle": "resize" });
    rot.append(handle);
    handle.addEventListener("pointerdown", (ev) => startDrag(ev, tb, "resize"));
  }
  g.addEventListener("pointerdown", (ev) => {
    if (ev.target.dataset.handle) return;
    startDrag(ev, tb, "move");
  });
  g.addEventListener("keydown", (ev) => {
    const step = ev.shiftKey ? s.snap * 4 : s.snap;
    const d = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] }[ev.key];
    if (ev.key === "Enter" || ev.key === " ") {
      ev.preventDefault();
      select(tb.id);
    } else if (d) {
      ev.preventDefault();
      save(tb, { x: clamp(tb.x + d[0], 0, s.plan.width - tb.width), y: clamp(tb.y + d[1], 0, s.plan.height - tb.height) }, true);
    }
  });
  return g;
}

// ---------- dragging -------------------------------------------------------------------

function toPlan(ev) {
  const board = $("plan-svg");
  const pt = board.createSVGPoint();
  pt.x = ev.clientX;
  pt.y = ev.clientY;
  return pt.matrixTransform(board.getScreenCTM().inverse());
}

function startDrag(ev, tb, kind) {
  ev.preventDefault();
  ev.stopPropagation();
  const p = toPlan(ev);
  s.drag = { id: tb.id, kind, start: p, orig: { ...tb }, moved: false, node: ev.currentTarget.closest(".ed-tbl") };
  $("plan-svg").setPointerCapture?.(ev.pointerId);
  if (s.selected !== tb.id) select(tb.id, false);
}

function onMove(ev) {
  const d = s.drag;
  if (!d) return;
  const p = toPlan(ev);
  const tb = tableById(d.id);
  if (d.kind === "move") {
    const x = clamp(snap(d.orig.x + p.x - d.start.x), 0, s.plan.width - tb.width);
    const y = clamp(snap(d.orig.y + p.y - d.start.y), 0, s.plan.height - tb.height);
    if (x === tb.x && y === tb.y) return;
    Object.assign(tb, { x, y });
  } else {
    // Into the table's own (rotated) frame, so the corner follows the pointer.
    const c = center(d.orig);
    const a = (-(tb.rotation || 0) * Math.PI) / 180;
    const dx = p.x - c.x;
    const dy = p.y - c.y;
    const lx = dx * Math.cos(a) - dy * Math.sin(a);
    const ly = dx * Math.sin(a) + dy * Math.cos(a);
    const w = clamp(snap(Math.abs(lx) * 2), 10, 2000);
    const h = clamp(snap(Math.abs(ly) * 2), 10, 2000);
    if (w === tb.width && h === tb.height) return;
    Object.assign(tb, { width: w, height: h, x: Math.max(0, Math.round(c.x - w / 2)), y: Math.max(0, Math.round(c.y - h / 2)) });
  }
  d.moved = true;
  const fresh = tableNode(tb);
  d.node.replaceWith(fresh);
  d.node = fresh;
  $("plan-status").textContent = d.kind === "move" ? `${tb.label}: ${tb.x}, ${tb.y}` : `${tb.label}: ${tb.width} × ${tb.height}`;
}

function onUp() {
  const d = s.drag;
  s.drag = null;
  if (!d) return;
  if (!d.moved) {
    draw(); // show the selection and its resize handle
    return;
  }
  const tb = tableById(d.id);
  const changes = d.kind === "move" ? { x: tb.x, y: tb.y } : { x: tb.x, y: tb.y, width: tb.width, height: tb.height };
  Object.assign(tb, d.orig); // the server's answer is the truth
  save(tb, changes, true);
}

// ---------- saving ---------------------------------------------------------------------

async function save(tb, changes, quiet = false, errRoot = null) {
  const before = { ...tb };
  Object.assign(tb, changes);
  draw();
  try {
    const out = await s.ctx.api.patchTable(tb.id, changes);
    Object.assign(tb, out);
    $("plan-status").textContent = t("Saved {label}", { label: tb.label });
    if (!quiet) toast(t("Table {label} saved", { label: tb.label }));
  } catch (p) {
    Object.assign(tb, before);
    const msg = staffMessage(p);
    $("plan-status").textContent = msg;
    if (errRoot && p.errors.length) showErrors(errRoot, p.errors);
    else toast(msg);
    draw();
    renderSide();
    return false;
  }
  draw();
  renderSide();
  return true;
}

function select(id, redraw = true) {
  s.selected = id;
  if (redraw) draw();
  renderSide();
}

async function addTable() {
  const p = s.plan;
  const tier = p.tiers[0] || "standard";
  // Find an empty grid spot near the centre.
  const w = 60;
  const free = (x, y) => !p.tables.some((tb) => x < tb.x + tb.width + 10 && x + w + 10 > tb.x && y < tb.y + tb.height + 10 && y + w + 10 > tb.y);
  let spot = { x: snap(p.width / 2 - w / 2), y: snap(p.height / 2 - w / 2) };
  outer: for (let r = 0; r < Math.max(p.width, p.height); r += 40) {
    for (const [dx, dy] of [[0, 0], [r, 0], [-r, 0], [0, r], [0, -r], [r, r], [-r, -r], [r, -r], [-r, r]]) {
      const x = snap(p.width / 2 - w / 2 + dx);
      const y = snap(p.height / 2 - w / 2 + dy);
      if (x >= 0 && y >= 0 && x + w <= p.width && y + w <= p.height && free(x, y)) {
        spot = { x, y };
        break outer;
      }
    }
  }
  let n = p.tables.length + 1;
  while (p.tables.some((tb) => tb.label === `T${n}`)) n += 1;
  try {
    const tb = await s.ctx.api.addTable({ label: `T${n}`, tier, min_party: 2, max_party: 6, shape: "round", width: w, height: w, rotation: 0, ...spot });
    p.tables.push(tb);
    toast(t("Table {label} added", { label: tb.label }));
    select(tb.id);
  } catch (e) {
    toast(staffMessage(e));
  }
}

function addArea() {
  s.selected = null;
  draw();
  renderSide();
  $("area-new-name")?.focus();
}

// ---------- side panel -----------------------------------------------------------------

function renderSide() {
  const side = $("plan-side");
  const tb = s.selected ? tableById(s.selected) : null;
  side.replaceChildren(...(tb ? tableForm(tb) : areasPanel()));
}

function tableForm(tb) {
  const num = (name, value, min, max) => el("input", { type: "number", name, id: `pt-${name}`, value: String(value ?? ""), min, max, inputmode: "numeric" });
  const label = el("input", { type: "text", name: "label", id: "pt-label", value: tb.label, maxlength: 20 });
  const tier = el("select", { name: "tier", id: "pt-tier" }, ...s.plan.tiers.map((x) => new Option(tierName(x), x, false, x === tb.tier)));
  const shape = el("select", { name: "shape", id: "pt-shape" }, ...SHAPES.map((x) => new Option(x, x, false, x === tb.shape)));
  const area = el("select", { name: "area_id", id: "pt-area" }, new Option(t("No area"), ""), ...s.plan.areas.map((a) => new Option(a.name, a.id, false, a.id === tb.area_id)));
  const minP = num("min_party", tb.min_party, 1, 500);
  const maxP = num("max_party", tb.max_party, 1, 500);
  const w = num("width", tb.width, 10, 2000);
  const h = num("height", tb.height, 10, 2000);
  const rot = num("rotation", tb.rotation, 0, 359);
  const base = el("input", { type: "number", name: "base_minimum", id: "pt-base", value: minorToMajor(tb.base_minimum), min: 0, step: "1", placeholder: t("tier price") });
  const err = errorBox("pt-error");
  const currency = s.plan.currency || t("major units");
  const rotBtn = (deg, text) => button(text, "btn-ghost btn-compact", () => {
    rot.value = String((((Number(rot.value) || 0) + deg) % 360 + 360) % 360);
    save(tb, { rotation: Number(rot.value) }, true);
  }, { "aria-label": deg > 0 ? t("Rotate clockwise 15°") : t("Rotate anticlockwise 15°") });
  const form = el("form", { class: "plan-form", novalidate: true, id: "plan-form" },
    el("header", { class: "side-head" }, el("h2", { text: t("Table {label}", { label: tb.label }) }),
      el("button", { type: "button", class: "icon-btn", "aria-label": t("Close"), text: "✕", onclick: () => select(null) })),
    el("div", { class: "two" }, field(t("Label"), label), field(t("Tier"), tier)),
    el("div", { class: "two" }, field(t("Min party"), minP), field(t("Max party"), maxP)),
    el("div", { class: "two" }, field(t("Shape"), shape), field(t("Area"), area)),
    el("div", { class: "two" }, field(t("Width"), w), field(t("Height"), h)),
    el("div", { class: "rot-row" }, field(t("Rotation °"), rot), rotBtn(-15, "⟲ 15°"), rotBtn(15, "⟳ 15°")),
    field(t("Own minimum ({currency}; blank = tier price)", { currency }), base, { name: "base_minimum" }),
    err,
    el("div", { class: "row" }, el("button", { type: "submit", class: "btn btn-primary", id: "pt-save", text: t("Save table") })),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    clearErrors(form);
    setError(err, "");
    const changes = {
      label: label.value.trim(), tier: tier.value, shape: shape.value, area_id: area.value || null,
      min_party: Number(minP.value), max_party: Number(maxP.value), width: Number(w.value), height: Number(h.value),
      rotation: Number(rot.value) || 0, base_minimum: base.value === "" ? null : majorToMinor(base.value),
    };
    const bad = [];
    if (!changes.label) bad.push({ field: "label", message: t("A table needs a label.") });
    if (changes.min_party > changes.max_party) bad.push({ field: "max_party", message: t("Must be at least the minimum party.") });
    if (bad.length) return showErrors(form, bad);
    return busy(ev.submitter, () => save(tb, changes, false, form));
  });
  const linked = s.plan.links.filter((l) => l.includes(tb.id)).map((l) => tableById(l[0] === tb.id ? l[1] : l[0])).filter(Boolean);
  const others = s.plan.tables.filter((o) => o.id !== tb.id && !linked.includes(o)).sort((a, b) => a.label.localeCompare(b.label, undefined, { numeric: true }));
  const linkSel = el("select", { id: "pt-link", "aria-label": t("Table to join with") }, ...others.map((o) => new Option(o.label, o.id)));
  const linkErr = errorBox("pt-link-error");
  const linksBox = el("section", { class: "links-box" },
    el("h3", { text: t("Can join with") }),
    linked.length
      ? el("ul", { class: "link-list" }, ...linked.map((o) => el("li", {}, el("strong", { text: o.label }),
        button(t("Unlink"), "btn-ghost btn-compact", (ev) => busy(ev.currentTarget, () => setLink(tb, o, false, linkErr)), { "aria-label": t("Unlink {label}", { label: o.label }) }))))
      : el("p", { class: "muted small", text: t("Not joinable with any table.") }),
    el("div", { class: "inline-form" }, linkSel, button(t("Link"), "btn-ghost btn-compact", (ev) => busy(ev.currentTarget, () => setLink(tb, tableById(linkSel.value), true, linkErr)), { id: "pt-link-btn" })),
    linkErr);
  const delErr = errorBox("pt-del-error");
  const del = button(t("Delete table…"), "btn-danger-ghost", () => {
    const confirmBox = el("div", { class: "confirm-box" }, el("p", { text: t("Delete table {label}? Past bookings keep their record.", { label: tb.label }) }),
      el("div", { class: "row" },
        button(t("Yes, delete"), "btn-danger", (ev) => busy(ev.currentTarget, async () => {
          try {
            await s.ctx.api.deleteTable(tb.id);
            toast(t("Table {label} deleted", { label: tb.label }));
            s.selected = null;
            await load();
          } catch (p) {
            setError(delErr, staffMessage(p));
          }
        }), { id: "pt-del-confirm" }),
        button(t("Keep"), "btn-ghost", () => confirmBox.replaceWith(del))));
    del.replaceWith(confirmBox);
  }, { id: "pt-delete" });
  return [form, linksBox, el("section", { class: "danger-zone" }, del, delErr)];
}

async function setLink(tb, other, on, err) {
  if (!other) return;
  setError(err, "");
  try {
    await (on ? s.ctx.api.link(tb.id, other.id) : s.ctx.api.unlink(tb.id, other.id));
    toast(on ? t("{a} and {b} can be joined", { a: tb.label, b: other.label }) : t("{a} and {b} unlinked", { a: tb.label, b: other.label }));
    await load();
  } catch (p) {
    setError(err, staffMessage(p));
  }
}

function areasPanel() {
  const err = errorBox("area-error");
  const name = el("input", { type: "text", id: "area-new-name", name: "name", maxlength: 120, placeholder: t("e.g. Terrace") });
  const run = (fn, msg) => (ev) => busy(ev.currentTarget, async () => {
    setError(err, "");
    try {
      await fn();
      toast(msg);
      await load();
    } catch (p) {
      setError(err, staffMessage(p));
    }
  });
  const rows = s.plan.areas.map((a) => {
    const input = el("input", { type: "text", value: a.name, maxlength: 120, "aria-label": t("Name of area {name}", { name: a.name }) });
    const count = s.plan.tables.filter((tb) => tb.area_id === a.id).length;
    return el("li", { class: "area-row" }, input, el("span", { class: "muted small", text: t("{n} tables", { n: count }) }),
      button(t("Rename"), "btn-ghost btn-compact", run(() => s.ctx.api.patchArea(a.id, { name: input.value.trim() }), t("Area renamed"))),
      button(t("Delete"), "btn-danger-ghost btn-compact", run(() => s.ctx.api.deleteArea(a.id), t("Area deleted; its tables stay"))));
  });
  return [
    el("h2", { class: "panel-title", text: s.plan.name || t("Floor plan") }),
    el("p", { class: "muted small", text: t("{n} tables on a {width} × {height} plan. Select a table to edit it; arrow keys nudge the focused table.", { n: s.plan.tables.length, width: s.plan.width, height: s.plan.height }) }),
    el("h3", { text: t("Areas") }),
    el("ul", { class: "area-list" }, ...rows),
    el("div", { class: "inline-form" }, name, button(t("Add area"), "btn-ghost btn-compact", run(() => {
      if (!name.value.trim()) throw Object.assign(new Error(t("Name the area.")), { errors: [] });
      return s.ctx.api.addArea({ name: name.value.trim() });
    }, t("Area added")), { id: "area-add" })),
    err,
  ];
}
