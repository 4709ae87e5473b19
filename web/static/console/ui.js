// Small DOM helpers shared by the console views.

import { el, money } from "../api.js";
import { LOCALE, t } from "../i18n.js";

export { el, money };
export const $ = (id) => document.getElementById(id);

let toastTimer;
export function toast(text) {
  const tb = $("toast");
  tb.textContent = text;
  tb.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (tb.hidden = true), 3500);
}

export const STATUS_NAMES = {
  hold: t("On hold"),
  pending_payment: t("Awaiting deposit"),
  confirmed: t("Confirmed"),
  seated: t("Seated"),
  completed: t("Completed"),
  cancelled: t("Cancelled"),
  no_show: t("No-show"),
  expired: t("Expired"),
};
export const statusName = (s) => STATUS_NAMES[s] || s;
export const statusPill = (s) => el("span", { class: `status-pill st-${s}`, text: statusName(s) });

export const CHANNELS = { online: t("Online"), phone: t("Phone"), walk_in: t("Walk-in"), host: t("Host") };
export const channelName = (c) => CHANNELS[c] || c || "—";

/** "2026-11-22T05:21:02.72+00:00" -> "22 Nov, 05:21" in the browser's zone (staff are local). */
export function when(iso) {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(LOCALE, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" }).format(d);
}

export function addDays(isoDate, n) {
  const [y, m, d] = isoDate.split("-").map(Number);
  const dt = new Date(Date.UTC(y, m - 1, d + n));
  return dt.toISOString().slice(0, 10);
}

/** A labelled input wrapped in `.field`, with a slot for its error (keyed by `data-field`). */
export function field(label, input, { help, name } = {}) {
  const id = input.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  input.id = id;
  const key = name || input.name;
  const err = el("p", { class: "field-error", id: `${id}-err`, "data-error-for": key, hidden: true });
  input.setAttribute("aria-describedby", `${id}-err`);
  return el(
    "div",
    { class: "field", "data-field": key },
    el("label", { for: id, text: label }),
    input,
    help ? el("p", { class: "field-help", text: help }) : null,
    err,
  );
}

export function clearErrors(root) {
  root.querySelectorAll(".field-error").forEach((p) => {
    p.hidden = true;
    p.textContent = "";
  });
  root.querySelectorAll("[aria-invalid]").forEach((i) => i.removeAttribute("aria-invalid"));
}

/** Put each `{field, message}` under its input; returns the ones with no input to show at. */
export function showErrors(root, errors) {
  const left = [];
  for (const e of errors) {
    const slot = root.querySelector(`[data-error-for="${CSS.escape(e.field)}"]`);
    if (!slot) {
      left.push(e);
      continue;
    }
    slot.textContent = slot.textContent ? `${slot.textContent}; ${e.message}` : e.message;
    slot.hidden = false;
    slot.closest(".field, [data-field]")?.querySelector("input,select,textarea")?.setAttribute("aria-invalid", "true");
  }
  root.querySelector("[aria-invalid=true]")?.focus();
  return left;
}

export const errorBox = (id) => el("p", { class: "error-box", role: "alert", id, hidden: true });
export function setError(box, text) {
  box.textContent = text || "";
  box.hidden = !text;
}

export const button = (text, cls, onclick, attrs = {}) =>
  el("button", { type: "button", class: `btn ${cls}`, text, onclick, ...attrs });

/** Disable a button while a promise runs, so a double tap never sends twice. */
export async function busy(btn, fn) {
  if (btn.disabled) return undefined;
  btn.disabled = true;
  btn.setAttribute("aria-busy", "true");
  try {
    return await fn();
  } finally {
    btn.disabled = false;
    btn.removeAttribute("aria-busy");
  }
}

export function facts(rows) {
  return el(
    "dl",
    { class: "facts" },
    ...rows.filter(Boolean).map(([k, v, cls]) => el("div", {}, el("dt", { text: k }), el("dd", { class: cls, text: v ?? "—" }))),
  );
}

export const majorToMinor = (v) => Math.round(Number(v) * 100);
export const minorToMajor = (v) => (v == null ? "" : String(v / 100));
