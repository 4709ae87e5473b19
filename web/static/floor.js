// The floor map (SVG, pan/zoom, keyboard) and its accessible twin, the list view.
// Both render from one model of tables so they can never disagree; live updates patch
// the existing nodes in place so keyboard focus and the guest's place are kept.

import { el, money, seats, stateName, tierName } from "./api.js";
import { t } from "./i18n.js";

const SVG = "http://www.w3.org/2000/svg";
const MAX_ZOOM = 6;
const MIN_HEIGHT = 180; // px: a very wide plan still gets a map you can tap
const TAP_SLOP_PX = 8;
const HIT_PAD = 18; // plan units added around each table so small phones still hit it
const reducedMotion = () => window.matchMedia("(prefers-reduced-motion: reduce)").matches;

export function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v != null) node.setAttribute(k, v);
  for (const c of children) node.append(c);
  return node;
}

export const center = (t) => ({ x: t.x + t.width / 2, y: t.y + t.height / 2 });

// The table's footprint after rotation (for area boxes and fitting the view).
export function extent(t) {
  const c = center(t);
  const turned = Math.abs(((t.rotation || 0) % 180 + 180) % 180 - 90) < 45;
  const w = turned ? t.height : t.width;
  const h = turned ? t.width : t.height;
  return { x0: c.x - w / 2, y0: c.y - h / 2, x1: c.x + w / 2, y1: c.y + h / 2 };
}

function union(boxes) {
  return boxes.reduce(
    (a, b) => ({ x0: Math.min(a.x0, b.x0), y0: Math.min(a.y0, b.y0), x1: Math.max(a.x1, b.x1), y1: Math.max(a.y1, b.y1) }),
    { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity },
  );
}

export const distance = (a, b) => Math.hypot(center(a).x - center(b).x, center(a).y - center(b).y);

export function shapeFor(t, cls) {
  const w = t.width;
  const h = t.height;
  if (t.shape === "round") return svg("ellipse", { class: cls, rx: w / 2, ry: h / 2 });
  if (t.shape === "booth") {
    // A booth reads as a table with a curved bench behind it.
    return svg("path", {
      class: cls,
      d: `M${-w / 2},${-h / 2 + 14} Q${-w / 2},${-h / 2} ${-w / 2 + 14},${-h / 2} L${w / 2 - 14},${-h / 2} ` +
        `Q${w / 2},${-h / 2} ${w / 2},${-h / 2 + 14} L${w / 2},${h / 2 - 6} Q${w / 2},${h / 2} ${w / 2 - 6},${h / 2} ` +
        `L${-w / 2 + 6},${h / 2} Q${-w / 2},${h / 2} ${-w / 2},${h / 2 - 6} Z`,
    });
  }
  return svg("rect", { class: cls, x: -w / 2, y: -h / 2, width: w, height: h, rx: 6 });
}

export class FloorView {
  /**
   * Staff screens reuse the guest map with three optional hooks: `canSelect(t)` replaces
   * the guest rule (free and fits the party), `annotate(t)` adds a line of text on each
   * table (e.g. guest and party), `actionLabel(t)` names the list view's button.
   */
  constructor({ svgEl, listBody, chips, onSelect, canSelect, annotate, actionLabel }) {
    this.svg = svgEl;
    this.listBody = listBody;
    this.chips = chips;
    this.onSelect = onSelect;
    this.canSelect = canSelect;
    this.annotate = annotate;
    this.actionLabel = actionLabel;
    this.marked = new Set();
    this.tables = new Map();
    this.nodes = new Map();
    this.party = 2;
    this.selectedId = null;
    this.mine = new Set();
    this.currency = "GBP";
    this.pointers = new Map();
    this.bindGestures();
    new ResizeObserver(() => this.applyViewBox()).observe(this.svg);
  }

  // ---------- model --------------------------------------------------------------------

  fits(t) {
    if (this.canSelect) return true; // staff: party size is decided in the booking form
    return t.min_party <= this.party && this.party <= t.max_party;
  }

  selectable(t) {
    if (this.canSelect) return this.canSelect(t);
    return t.state === "free" && this.fits(t);
  }

  get(id) {
    return this.tables.get(id);
  }

  all() {
    return [...this.tables.values()];
  }

  /** A full snapshot: rebuild if the plan changed, otherwise patch in place. */
  setFloor(floor) {
    this.currency = floor.currency;
    this.areas = new Map(floor.areas.map((a) => [a.id, a.name]));
    const sameTables = floor.tables.length === this.tables.size && floor.tables.every((t) => this.tables.has(t.id));
    const samePlan = sameTables && this.planKey === `${floor.width}x${floor.height}`;
    this.tables = new Map(floor.tables.map((t) => [t.id, { ...t }]));
    if (samePlan) {
      this.tables.forEach((t) => this.refresh(t.id));
    } else {
      this.planKey = `${floor.width}x${floor.height}`;
      this.build(floor);
    }
  }

  applyDelta(changes) {
    for (const c of changes) {
      const t = this.tables.get(c.id);
      if (!t) continue;
      Object.assign(t, { state: c.state, minimum: c.minimum, deposit: c.deposit, unavailable_reason: c.unavailable_reason ?? null });
      this.refresh(c.id);
    }
  }

  setParty(n) {
    this.party = n;
    this.tables.forEach((t) => this.refresh(t.id));
  }

  setSelected(id) {
    const prev = this.selectedId;
    this.selectedId = id;
    if (prev) this.refresh(prev);
    if (id) this.refresh(id);
  }

  /** Extra highlight for a set of tables (staff: the targets picked for a move). */
  setMarked(ids) {
    const old = this.marked;
    this.marked = new Set(ids);
    [...old, ...this.marked].forEach((id) => this.tables.has(id) && this.refresh(id));
  }

  /** Re-evaluate every table (after `canSelect` changed its mind, e.g. a mode switch). */
  refreshAll() {
    this.tables.forEach((t) => this.refresh(t.id));
  }

  setMine(ids) {
    const old = this.mine;
    this.mine = new Set(ids);
    [...old, ...this.mine].forEach((id) => this.tables.has(id) && this.refresh(id));
  }

  areaName(t) {
    return this.areas?.get(t.area_id) || "";
  }

  /** Free tables of the same tier that fit the party, nearest first on the plan. */
  alternativesTo(t, limit = 3) {
    return this.all()
      .filter((o) => o.id !== t.id && o.tier === t.tier && this.selectable(o))
      .sort((a, b) => distance(a, t) - distance(b, t))
      .slice(0, limit);
  }

  // Tab order: area by area (in the plan's order), then by label with numbers compared as numbers.
  ordered() {
    const areaOrder = [...(this.areas?.keys() || [])];
    return this.all().sort(
      (a, b) => areaOrder.indexOf(a.area_id) - areaOrder.indexOf(b.area_id) ||
        a.label.localeCompare(b.label, undefined, { numeric: true }),
    );
  }

  // ---------- rendering ----------------------------------------------------------------

  build(floor) {
    const tables = this.ordered();
    const byArea = new Map();
    for (const t of tables) {
      if (!byArea.has(t.area_id)) byArea.set(t.area_id, []);
      byArea.get(t.area_id).push(t);
    }
    this.areaBoxes = new Map();
    for (const [areaId, list] of byArea) {
      const b = union(list.map(extent));
      this.areaBoxes.set(areaId, { x0: b.x0 - 10, y0: b.y0 - 10, x1: b.x1 + 10, y1: b.y1 + 10 });
    }
    const labels = this.placeAreaLabels(tables);
    const b = union([...tables.map(extent), ...[...labels.values()].map((l) => l.box)]);
    const pad = 16;
    this.bounds = { x0: b.x0 - pad, y0: b.y0 - pad, x1: b.x1 + pad, y1: b.y1 + pad };
    const defs = svg(
      "defs",
      {},
      svg(
        "pattern",
        { id: "hatch", width: 8, height: 8, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" },
        svg("rect", { width: 3, height: 8, class: "hatch-line" }),
      ),
    );
    const areaLayer = svg("g", { class: "areas", "aria-hidden": "true" });
    for (const [areaId, box] of this.areaBoxes) {
      areaLayer.append(
        svg("rect", { class: "area", x: box.x0, y: box.y0, width: box.x1 - box.x0, height: box.y1 - box.y0, rx: 14 }),
      );
      const label = labels.get(areaId);
      if (label) areaLayer.append(svg("text", { class: "area-label", x: label.x, y: label.y }, label.text));
    }
    const tableLayer = svg("g", { class: "tables" });
    this.nodes.clear();
    for (const t of tables) tableLayer.append(this.buildTable(t));
    this.svg.replaceChildren(defs, areaLayer, tableLayer);
    this.buildList(tables);
    this.buildChips();
    this.tables.forEach((t) => this.refresh(t.id));
    this.initialView();
  }

  /**
   * Where each area's name goes: above its box, else below it, else inside its top edge,
   * whichever first clears the other areas, every table and the names already placed (a
   * name above the main floor used to sit on the booths' box).
   */
  placeAreaLabels(tables) {
    const placed = new Map();
    const taken = tables.map(extent);
    const overlaps = (r, own) =>
      [...taken, ...[...this.areaBoxes].filter(([id]) => id !== own).map(([, box]) => box)]
        .some((o) => r.x0 < o.x1 && o.x0 < r.x1 && r.y0 < o.y1 && o.y0 < r.y1);
    for (const [areaId, box] of this.areaBoxes) {
      const name = this.areas.get(areaId);
      if (!name) continue;
      const text = name.toUpperCase();
      const width = text.length * 11.5;
      const at = (y) => ({ text, x: box.x0 + 2, y, box: { x0: box.x0, y0: y - 16, x1: box.x0 + width, y1: y + 4 } });
      const options = [at(box.y0 - 7), at(box.y1 + 19), at(box.y0 + 19)];
      const label = options.find((o) => !overlaps(o.box, areaId)) || options[0];
      placed.set(areaId, label);
      taken.push(label.box);
    }
    return placed;
  }

  buildTable(t) {
    const c = center(t);
    const rot = svg("g", { transform: `rotate(${t.rotation || 0})` });
    rot.append(
      svg("rect", { class: "hit", x: -t.width / 2 - HIT_PAD, y: -t.height / 2 - HIT_PAD, width: t.width + 2 * HIT_PAD, height: t.height + 2 * HIT_PAD, rx: 12 }),
      shapeFor({ ...t, width: t.width + 14, height: t.height + 14 }, "ring"),
      shapeFor(t, "shape"),
      shapeFor(t, "hatch"),
    );
    const label = svg("text", { class: "t-label", y: this.annotate ? -9 : -3 }, t.label);
    const price = svg("text", { class: "t-min", y: this.annotate ? 23 : 15 });
    const note = this.annotate ? svg("text", { class: "t-note", y: 7 }) : null;
    const g = svg("g", {
      class: `tbl tier-${t.tier} shape-${t.shape}`,
      transform: `translate(${c.x} ${c.y})`,
      role: "button",
      "data-table-id": t.id,
      "data-label": t.label,
    }, rot, label, " ", price); // the space keeps "S1 £225" two words in its visible text
    if (note) g.append(" ", note);
    if (t.tier === "vip") {
      const e = extent(t);
      g.append(svg("text", { class: "t-star", x: e.x1 - c.x - 3, y: e.y0 - c.y + 13, "aria-hidden": "true" }, "★"));
    }
    g.addEventListener("click", () => {
      if (this.suppressClick) return;
      this.choose(t.id);
    });
    g.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" || ev.key === " ") {
        ev.preventDefault();
        this.choose(t.id);
      }
    });
    g.addEventListener("focus", () => this.ensureVisible(t.id));
    this.nodes.set(t.id, { g, price, note });
    return g;
  }

  buildList(tables) {
    this.listBody.replaceChildren(
      ...tables.map((tb) => {
        const state = el("td", { class: "l-state" });
        const min = el("td", { class: "l-min" });
        const btn = el("button", { type: "button", class: "btn btn-small", "data-table-id": tb.id, onclick: () => this.choose(tb.id) });
        const row = el(
          "tr",
          { "data-table-id": tb.id },
          el("th", { scope: "row", text: tb.label }),
          el(
            "td",
            {},
            el("span", { text: this.areaName(tb) }),
            el("span", { class: `tier-chip tier-${tb.tier}`, text: tierName(tb.tier) }),
            // A phone has no room for the Seats column: its seats ride here instead.
            el("span", { class: "l-seats", text: ` · ${seats(tb)}` }),
          ),
          el("td", { text: seats(tb) }),
          min,
          state,
          el("td", {}, btn),
        );
        const n = this.nodes.get(tb.id);
        Object.assign(n, { row, rowState: state, rowMin: min, rowBtn: btn });
        return row;
      }),
    );
  }

  buildChips() {
    const chip = (name, box) =>
      el("button", { type: "button", class: "chip", text: name, onclick: () => this.zoomTo(box, true) });
    const chips = [chip(t("Whole floor"), this.bounds)];
    for (const [areaId, box] of this.areaBoxes) {
      const name = this.areas.get(areaId);
      if (name) chips.push(chip(name, { x0: box.x0 - 30, y0: box.y0 - 40, x1: box.x1 + 30, y1: box.y1 + 30 }));
    }
    this.chips.replaceChildren(...chips);
  }

  /** Bring one table's SVG node and list row up to date with the model. */
  refresh(id) {
    const tb = this.tables.get(id);
    const n = this.nodes.get(id);
    if (!tb || !n) return;
    const mine = this.mine.has(id);
    const fits = this.fits(tb);
    const ok = this.selectable(tb);
    const shownState = mine ? "mine" : tb.state;
    n.g.setAttribute("class", `tbl tier-${tb.tier} shape-${tb.shape} state-${shownState}` +
      `${fits ? "" : " nofit"}${ok || mine ? " selectable" : ""}${this.selectedId === id ? " selected" : ""}` +
      `${this.marked.has(id) ? " marked" : ""}`);
    n.g.setAttribute("data-state", tb.state);
    n.g.setAttribute("tabindex", ok || mine ? "0" : "-1");
    n.g.setAttribute("aria-disabled", ok || mine ? "false" : "true");
    const min = money(tb.minimum, this.currency, { compact: true });
    if (n.note) n.note.textContent = this.annotate(tb) || "";
    n.price.textContent = min;
    const why = mine
      ? t("held for you")
      : tb.state === "unavailable"
      ? t("not bookable: {reason}", { reason: tb.unavailable_reason })
      : !fits
      ? t("doesn't fit a party of {n}", { n: this.party })
      : stateName(tb.state).toLowerCase();
    // The name starts with what the table shows ("S1 £225", then the staff note), so
    // voice control can use what people see; the rest adds what the shape and colour say.
    const shown = [tb.label, min, n.note?.textContent].filter(Boolean).join(" ");
    const facts = t("seats {n}, minimum spend {amount}", { n: seats(tb), amount: money(tb.minimum, this.currency) });
    n.g.setAttribute("aria-label", `${shown}, ${tierName(tb.tier)}, ${this.areaName(tb)}, ${facts}, ${why}`);
    n.rowMin.textContent = money(tb.minimum, this.currency);
    n.rowState.textContent = mine ? t("Held for you") : !fits && tb.state === "free" ? t("Free · seats {n}", { n: seats(tb) }) : stateName(tb.state);
    n.rowState.className = `l-state st-${shownState}`;
    n.rowState.title = tb.unavailable_reason || "";
    n.row.className = `${fits ? "" : "nofit "}${this.selectedId === id ? "selected" : ""}`;
    n.rowBtn.disabled = !(ok || mine);
    n.rowBtn.textContent = this.actionLabel
      ? this.actionLabel(tb, ok)
      : mine ? t("View") : ok ? t("Choose") : !fits && tb.state === "free" ? t("Doesn't fit") : tb.state === "unavailable" ? t("Not bookable") : t("Taken");
    n.rowBtn.setAttribute("aria-label", t("{action} table {label}", { action: n.rowBtn.textContent, label: tb.label }));
  }

  choose(id) {
    const t = this.tables.get(id);
    if (!t || !(this.selectable(t) || this.mine.has(id))) return;
    this.onSelect?.(t);
  }

  focusTable(id) {
    this.nodes.get(id)?.g.focus();
  }

  // ---------- viewport: pan and zoom by editing the viewBox ----------------------------

  fit(animate = true) {
    if (this.bounds) this.zoomTo(this.bounds, animate);
  }

  /**
   * First view of a plan: the whole floor, at any width. The map's height follows the
   * plan at the scale that fits its width (capped to a share of the window, then the width
   * is what shrinks), so there is no dead band above and below it. Tables keep a hit area
   * larger than their drawing (HIT_PAD) for fingertips; the zoom buttons and pinch zoom in.
   */
  initialView() {
    const b = this.bounds;
    const width = this.svg.clientWidth;
    this.pendingInit = !width; // hidden (list view): lay out when it is first shown
    if (!width) return;
    const planW = b.x1 - b.x0;
    const planH = b.y1 - b.y0;
    const cap = window.innerHeight * (width >= 700 ? 0.72 : 0.6);
    const scale = Math.min(width / planW, cap / planH);
    const height = Math.round(Math.max(MIN_HEIGHT, planH * scale));
    this.svg.style.height = `${height}px`; // CSSOM, not a style attribute: fine under CSP
    this.vb = null;
    this.zoomTo(b, false);
  }

  zoomTo(box, animate) {
    const w = box.x1 - box.x0;
    const h = box.y1 - box.y0;
    this.setView({ x: box.x0, y: box.y0, w, h }, animate);
  }

  setView(target, animate) {
    const aspect = this.aspect();
    // Grow the box to the element's aspect ratio so panning maths stays 1:1.
    let { x, y, w, h } = target;
    if (w / h > aspect) {
      const nh = w / aspect;
      y -= (nh - h) / 2;
      h = nh;
    } else {
      const nw = h * aspect;
      x -= (nw - w) / 2;
      w = nw;
    }
    const next = this.clamp({ x, y, w, h });
    cancelAnimationFrame(this.anim);
    if (!animate || reducedMotion() || !this.vb) {
      this.vb = next;
      this.applyViewBox();
      return;
    }
    const from = { ...this.vb };
    const start = performance.now();
    const step = (now) => {
      const k = Math.min(1, (now - start) / 260);
      const e = 1 - (1 - k) ** 3;
      this.vb = Object.fromEntries(Object.keys(next).map((key) => [key, from[key] + (next[key] - from[key]) * e]));
      this.applyViewBox();
      if (k < 1) this.anim = requestAnimationFrame(step);
    };
    this.anim = requestAnimationFrame(step);
  }

  aspect() {
    const r = this.svg.getBoundingClientRect();
    return r.width > 0 && r.height > 0 ? r.width / r.height : 1.4;
  }

  clamp(v) {
    const b = this.bounds;
    const fullW = b.x1 - b.x0;
    const minW = fullW / MAX_ZOOM;
    const maxW = Math.max(fullW, (b.y1 - b.y0) * this.aspect()) * 1.3;
    const w = Math.min(Math.max(v.w, minW), maxW);
    const h = w * (v.h / v.w);
    const cx = Math.min(Math.max(v.x + v.w / 2, b.x0), b.x1);
    const cy = Math.min(Math.max(v.y + v.h / 2, b.y0), b.y1);
    return { x: cx - w / 2, y: cy - h / 2, w, h };
  }

  applyViewBox() {
    if (this.pendingInit && this.svg.clientWidth) this.initialView();
    if (!this.vb) return;
    // Keep the aspect right after a resize (rotation, keyboard opening, desktop resize).
    const aspect = this.aspect();
    if (Math.abs(this.vb.w / this.vb.h - aspect) > 0.01) {
      const cy = this.vb.y + this.vb.h / 2;
      this.vb.h = this.vb.w / aspect;
      this.vb.y = cy - this.vb.h / 2;
    }
    const { x, y, w, h } = this.vb;
    this.svg.setAttribute("viewBox", `${x.toFixed(1)} ${y.toFixed(1)} ${w.toFixed(1)} ${h.toFixed(1)}`);
  }

  zoomBy(factor, clientPoint) {
    if (!this.vb) return;
    const p = clientPoint ? this.toPlan(clientPoint) : { x: this.vb.x + this.vb.w / 2, y: this.vb.y + this.vb.h / 2 };
    const { x, y, w, h } = this.vb;
    this.setView({ x: p.x - (p.x - x) / factor, y: p.y - (p.y - y) / factor, w: w / factor, h: h / factor }, !clientPoint);
  }

  toPlan({ clientX, clientY }) {
    const r = this.svg.getBoundingClientRect();
    return { x: this.vb.x + ((clientX - r.left) / r.width) * this.vb.w, y: this.vb.y + ((clientY - r.top) / r.height) * this.vb.h };
  }

  ensureVisible(id, animate = true) {
    const t = this.tables.get(id);
    if (!t || !this.vb) return;
    const e = extent(t);
    const { x, y, w, h } = this.vb;
    if (e.x0 >= x && e.x1 <= x + w && e.y0 >= y && e.y1 <= y + h) return;
    const c = center(t);
    this.setView({ x: c.x - w / 2, y: c.y - h / 2, w, h }, animate);
  }

  /** Move the map's content by (dx, dy) screen pixels (positive: towards the right/down). */
  panBy(dx, dy) {
    if (!this.vb) return;
    const r = this.svg.getBoundingClientRect();
    this.vb = this.clamp({ ...this.vb, x: this.vb.x - (dx / r.width) * this.vb.w, y: this.vb.y - (dy / r.height) * this.vb.h });
    this.applyViewBox();
  }

  /** Where a table is drawn on screen now (client pixels), or null. */
  tableRect(id) {
    return this.nodes.get(id)?.g.getBoundingClientRect() ?? null;
  }

  bindGestures() {
    const s = this.svg;
    s.addEventListener("pointerdown", (ev) => {
      this.pointers.set(ev.pointerId, { clientX: ev.clientX, clientY: ev.clientY, startX: ev.clientX, startY: ev.clientY });
      this.suppressClick = false;
      this.dragging = false;
    });
    s.addEventListener("pointermove", (ev) => {
      const p = this.pointers.get(ev.pointerId);
      if (!p || !this.vb) return;
      const prev = { clientX: p.clientX, clientY: p.clientY };
      if (!this.dragging && Math.hypot(ev.clientX - p.startX, ev.clientY - p.startY) > TAP_SLOP_PX) {
        // Only now capture: capturing on pointerdown would steal the click from the table.
        this.dragging = true;
        this.suppressClick = true;
        s.setPointerCapture?.(ev.pointerId);
      }
      p.clientX = ev.clientX;
      p.clientY = ev.clientY;
      if (!this.dragging) return;
      if (this.pointers.size >= 2) {
        const [a, b] = [...this.pointers.values()];
        const other = a === p ? b : a;
        const before = Math.hypot(prev.clientX - other.clientX, prev.clientY - other.clientY);
        const after = Math.hypot(p.clientX - other.clientX, p.clientY - other.clientY);
        if (before > 0) {
          const mid = { clientX: (p.clientX + other.clientX) / 2, clientY: (p.clientY + other.clientY) / 2 };
          this.zoomBy(after / before, mid);
        }
        return;
      }
      const r = s.getBoundingClientRect();
      const dx = ((p.clientX - prev.clientX) / r.width) * this.vb.w;
      const dy = ((p.clientY - prev.clientY) / r.height) * this.vb.h;
      this.vb = this.clamp({ ...this.vb, x: this.vb.x - dx, y: this.vb.y - dy });
      this.applyViewBox();
    });
    const end = (ev) => {
      this.pointers.delete(ev.pointerId);
      if (this.pointers.size === 0) this.dragging = false;
    };
    s.addEventListener("pointerup", end);
    s.addEventListener("pointercancel", end);
    s.addEventListener(
      "wheel",
      (ev) => {
        if (!this.vb) return;
        ev.preventDefault();
          this.zoomBy(Math.exp(-ev.deltaY * (ev.ctrlKey ? 0.01 : 0.0015)), ev);
      },
      { passive: false },
    );
  }
}
