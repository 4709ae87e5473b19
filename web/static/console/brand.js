// Brand: the venue's colours, font, corners, logo, its own address and the sites that may
// embed its booking page, with a live preview of the guest page in a phone frame.
// Every change is checked by the server as saving would (WCAG AA contrast); the preview
// shows the draft when it passes, and each failing field says its ratio.

import { staffMessage } from "./http.js";
import { $, busy, clearErrors, el, errorBox, field, setError, toast } from "./ui.js";
import { plural, t } from "../i18n.js";

const COLOURS = [
  ["background", t("Background"), t("the page behind the cards")],
  ["surface", t("Surface"), t("cards, the sheet, the floor's frame")],
  ["text", t("Text"), t("4.5:1 on background and surface")],
  ["accent", t("Accent"), t("buttons, links, focus, your pick")],
  ["free", t("Free tables"), t("3:1 on background and surface")],
  ["held", t("Held tables"), t("3:1 on background and surface")],
  ["booked", t("Booked tables"), t("3:1 on background and surface")],
  ["blocked", t("Unavailable tables"), t("3:1 on background and surface")],
];
const LOOK = ["base", "font", "corners", ...COLOURS.map(([k]) => k)];
const s = { ctx: null, brand: null, timer: null, seq: 0 };

export async function show(ctx) {
  s.ctx = ctx;
  const root = $("brand-root");
  root.replaceChildren(el("p", { class: "muted", text: t("Loading…") }));
  try {
    s.brand = await ctx.api.brand();
  } catch (p) {
    root.replaceChildren(el("p", { class: "error-box", text: staffMessage(p) }));
    return;
  }
  render(root);
}

export function hide() {
  clearTimeout(s.timer);
}

function colourField(key, label, help) {
  const value = s.brand[key];
  const text = el("input", { name: key, type: "text", value, maxlength: 7, spellcheck: "false", autocomplete: "off", class: "b-hex" });
  const swatch = el("input", { type: "color", value, "aria-label": `${label}: pick`, class: "b-swatch", tabindex: "-1" });
  swatch.addEventListener("input", () => {
    text.value = swatch.value;
    schedule();
  });
  text.addEventListener("input", () => {
    if (/^#[0-9a-f]{6}$/i.test(text.value)) swatch.value = text.value.toLowerCase();
    schedule();
  });
  const f = field(label, text, { help, name: key });
  f.classList.add("b-colour");
  f.querySelector("label").after(swatch);
  return f;
}

function select(name, options, value) {
  return el("select", { name }, ...options.map(([v, tb]) => new Option(tb, v, false, v === value)));
}

function render(root) {
  const b = s.brand;
  const ch = b.choices;
  const form = el("form", { class: "b-form", id: "brand-form", novalidate: true });
  const base = select("base", ch.bases.map((x) => [x, x === "dark" ? t("Dark") : t("Light")]), b.base);
  const fonts = ch.fonts.map((f) => [f.key, f.label]);
  if (b.font_uploaded) fonts.push(["custom", t("Your uploaded font")]);
  const font = select("font", fonts, b.font);
  const corners = select("corners", ch.corners.map((c) => [c, c[0].toUpperCase() + c.slice(1)]), b.corners);
  [base, font, corners].forEach((x) => x.addEventListener("change", schedule));
  const startFrom = el("button", { type: "button", class: "btn btn-ghost btn-compact", id: "brand-defaults", text: t("Start from this base's colours") });
  startFrom.addEventListener("click", () => {
    const d = ch.defaults[base.value];
    for (const [k] of COLOURS) {
      form.elements[k].value = d[k];
      form.querySelector(`[data-field="${k}"] .b-swatch`).value = d[k];
    }
    schedule();
  });
  const err = errorBox("brand-err");
  const status = el("p", { class: "b-status muted small", id: "brand-status", role: "status", "aria-live": "polite" });
  const save = el("button", { type: "submit", class: "btn btn-primary", id: "brand-save", text: t("Save brand") });

  form.append(
    el("h2", { class: "panel-title", text: t("Look") }),
    el("div", { class: "two" }, field(t("Base"), base), field(t("Font"), font, { help: b.font_uploaded ? t("a system font, or your own (served from this site)") : t("system fonts, or upload your own below") })),
    el("div", { class: "two" }, field(t("Corners"), corners), el("div", { class: "field b-defaults" }, startFrom)),
    el("div", { class: "b-colours" }, ...COLOURS.map(([k, label, help]) => colourField(k, label, help))),
    status,
    el("h2", { class: "panel-title", text: t("Your site") }),
    field(t("Your own address (optional)"), el("input", { name: "public_url", type: "url", value: b.public_url || "", placeholder: t("https://book.yourvenue.com"), maxlength: 500 }), {
      help: t("the origin pointed at this Maitre: links in emails and calendar invites use it"),
    }),
    field(t("Sites that may embed the booking page"), el("textarea", { name: "embed_origins", rows: 3, text: b.embed_origins.join("\n"), placeholder: t("https://www.yourvenue.com") }), {
      help: t("one origin a line; no one else can frame your booking page"),
    }),
    el("p", { class: "small", text: t("Paste this where the booking flow should appear on your site:") }),
    el("pre", { class: "b-snippet", id: "brand-snippet", text: `<script src="${b.embed_script}" async></script>\n<maitre-booking venue="${s.ctx.slug}"></maitre-booking>` }),
    err,
    el("div", { class: "row" }, save),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    busy(save, () => saveBrand(form, err));
  });

  const frame = el("iframe", { id: "brand-preview", class: "b-frame", title: t("Guest page preview"), src: `/v/${encodeURIComponent(s.ctx.slug)}` });
  const logo = logoPanel();
  root.replaceChildren(
    el("div", { class: "b-grid" },
      el("section", { class: "panel", "aria-label": t("Brand settings") }, form, logo),
      el("section", { class: "panel b-preview", "aria-labelledby": "brand-prev-h" },
        el("h2", { class: "panel-title", id: "brand-prev-h", text: t("Guest page preview") }),
        el("div", { class: "b-phone" }, el("div", { class: "b-screen" }, frame)))),
  );
  schedule();
}

function logoPanel() {
  const err = errorBox("brand-logo-err");
  const file = el("input", { type: "file", name: "file", accept: s.brand.choices.logo.types.join(","), id: "brand-logo-file" });
  const current = s.brand.logo_src
    ? el("img", { class: "b-logo", src: s.brand.logo_src, alt: t("Current logo") })
    : el("p", { class: "muted small", text: t("No logo yet: the venue's name is shown.") });
  const url = el("input", { name: "logo_url", type: "url", value: s.brand.logo_url || "", placeholder: t("https://… or /path"), maxlength: 500 });
  const box = el("div", { class: "b-logo-box", id: "brand-logo" },
    el("h2", { class: "panel-title", text: t("Logo") }),
    current,
    field(t("Upload (PNG, JPEG, WebP or SVG, up to {size} kB)", { size: Math.round(s.brand.choices.logo.max_bytes / 1000) }), file, { name: "file" }),
    field(t("…or its address"), url, { name: "logo_url", help: t("saved with the brand") }),
    s.brand.logo_src ? el("button", { type: "button", class: "btn btn-ghost btn-compact", id: "brand-logo-remove", text: t("Remove the logo"), onclick: removeLogo }) : null,
    err);
  async function removeLogo() {
    try {
      s.brand = await s.ctx.api.putBrand({ version: s.brand.version, logo_url: "" });
      toast(t("Logo removed"));
      render($("brand-root"));
    } catch (p) {
      setError(err, staffMessage(p));
    }
  }
  url.setAttribute("form", "brand-form");
  const fontFile = el("input", { type: "file", name: "font_file", accept: ".woff2,.woff,font/woff2,font/woff", id: "brand-font-file" });
  box.append(field(t("Your own font (WOFF2 or WOFF, up to {size} kB)", { size: Math.round(s.brand.choices.font.max_bytes / 1000) }), fontFile, {
    name: "font_file",
    help: s.brand.font_uploaded ? t("uploaded: choose “Your uploaded font” above") : t("then choose “Your uploaded font” above"),
  }));
  fontFile.addEventListener("change", async () => {
    const f = fontFile.files[0];
    if (!f) return;
    setError(err, "");
    try {
      s.brand = await s.ctx.api.putFont({ data: await base64Of(f) });
      toast(t("Font uploaded"));
      render($("brand-root"));
    } catch (p) {
      setError(err, staffMessage(p));
    }
  });
  file.addEventListener("change", async () => {
    const f = file.files[0];
    if (!f) return;
    setError(err, "");
    const data = await base64Of(f);
    try {
      s.brand = await s.ctx.api.putLogo({ content_type: f.type || "application/octet-stream", data });
      toast(t("Logo saved"));
      render($("brand-root"));
    } catch (p) {
      setError(err, staffMessage(p));
    }
  });
  return box;
}

/** Each error under its field, the field's own text input marked invalid; while the
 * manager types, focus stays where it is. Returns the errors with no field to show at. */
function markErrors(form, errors) {
  const left = [];
  for (const e of errors) {
    const box = form.querySelector(`[data-field="${CSS.escape(e.field)}"]`);
    const slot = box?.querySelector(".field-error");
    if (!slot) {
      left.push(e);
      continue;
    }
    slot.textContent = slot.textContent ? `${slot.textContent}; ${e.message}` : e.message;
    slot.hidden = false;
    box.querySelector(`[name="${CSS.escape(e.field)}"]`)?.setAttribute("aria-invalid", "true");
  }
  return left;
}

function base64Of(file) {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).split(",", 2)[1] || "");
    r.onerror = reject;
    r.readAsDataURL(file);
  });
}

function draft(form) {
  return Object.fromEntries(LOOK.map((k) => [k, form.elements[k].value.trim()]));
}

function schedule() {
  clearTimeout(s.timer);
  s.timer = setTimeout(preview, 300);
}

async function preview() {
  const form = $("brand-form");
  if (!form) return;
  const seq = ++s.seq;
  const status = $("brand-status");
  clearErrors(form);
  try {
    const res = await s.ctx.api.previewBrand(draft(form));
    if (seq !== s.seq) return;
    status.textContent = t("Every colour passes WCAG AA contrast.");
    status.classList.remove("b-bad");
    const frame = $("brand-preview");
    if (frame.getAttribute("src") !== res.page_url) frame.src = res.page_url;
  } catch (p) {
    if (seq !== s.seq) return;
    const errors = p.body?.errors || [];
    const left = markErrors(form, errors);
    status.textContent = errors.length
      ? plural(errors.length, t("Not saved: {n} contrast problem. The preview shows the last passing choice.", { n: errors.length }), t("Not saved: {n} contrast problems. The preview shows the last passing choice.", { n: errors.length }))
      : staffMessage(p);
    status.classList.add("b-bad");
    if (left.length) status.textContent += ` ${left.map((e) => `${e.field}: ${e.message}`).join("; ")}`;
  }
}

async function saveBrand(form, err) {
  setError(err, "");
  clearErrors(form);
  const origins = form.elements.embed_origins.value.split(/\s+/).map((x) => x.trim()).filter(Boolean);
  const body = {
    ...draft(form),
    version: s.brand.version,
    public_url: form.elements.public_url.value.trim() || null,
    logo_url: form.elements.logo_url.value.trim() || null,
    embed_origins: origins,
  };
  if (!body.logo_url && s.brand.logo_uploaded) delete body.logo_url; // keep the uploaded file
  try {
    s.brand = await s.ctx.api.putBrand(body);
    toast(t("Brand saved: the guest pages wear it now"));
    render($("brand-root"));
  } catch (p) {
    const errors = (p.body?.errors || []).map((e) => ({ ...e, field: e.field.replace(/\[\d+\]$/, "") }));
    const left = markErrors(form, errors);
    form.querySelector("[aria-invalid=true]")?.focus();
    setError(err, p.status === 422 && !left.length ? t("Fix the fields marked above.") : staffMessage(p));
  }
}
