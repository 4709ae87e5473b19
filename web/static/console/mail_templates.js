// Email templates: the venue's own subject and the text before and after the booking
// details of each guest email, per language. The details, the manage/cancel link and the
// policy lines stay generated. The server checks every draft as saving would (only text
// and the offered variables); the preview is the real email with a sample booking.

import { staffMessage } from "./http.js";
import { $, busy, clearErrors, el, errorBox, field, setError, showErrors, toast } from "./ui.js";
import { t } from "../i18n.js";

const KIND_NAMES = {
  confirmation: t("Confirmation"),
  receipt: t("Deposit receipt"),
  reminder: t("Reminder"),
  cancellation: t("Cancellation"),
  waitlist_offer: t("Waitlist offer"),
};
const LANGUAGE_NAMES = { en: "English", it: "Italiano", fr: "Français" };
const PARTS = ["subject", "intro", "outro"];
const s = { ctx: null, data: null, kind: "confirmation", lang: "en", timer: null, seq: 0 };

export async function show(ctx) {
  s.ctx = ctx;
  const root = $("mail-templates-root");
  root.replaceChildren(el("p", { class: "muted", text: t("Loading…") }));
  try {
    s.data = await ctx.api.mailTemplates();
  } catch (p) {
    root.replaceChildren(el("p", { class: "error-box", text: staffMessage(p) }));
    return;
  }
  render(root);
}

export function hide() {
  clearTimeout(s.timer);
}

const saved = () => s.data.items.find((i) => i.kind === s.kind && i.language === s.lang);

function picker(name, options, value, onChange) {
  const sel = el("select", { name }, ...options.map(([v, tb]) => new Option(tb, v, false, v === value)));
  sel.addEventListener("change", () => onChange(sel.value));
  return sel;
}

function render(root) {
  const row = saved();
  const form = el("form", { class: "b-form", id: "mt-form", novalidate: true });
  const kinds = s.data.kinds.map((k) => [k, KIND_NAMES[k] || k]);
  const langs = s.data.languages.map((l) => [l, LANGUAGE_NAMES[l] || l]);
  const kind = picker("kind", kinds, s.kind, (v) => {
    s.kind = v;
    render(root);
  });
  const lang = picker("language", langs, s.lang, (v) => {
    s.lang = v;
    render(root);
  });
  const subject = el("input", { name: "subject", type: "text", value: row?.subject || "", maxlength: 200, placeholder: t("the default subject") });
  const intro = el("textarea", { name: "intro", rows: 5, text: row?.intro || "", placeholder: t("the default greeting and opening") });
  const outro = el("textarea", { name: "outro", rows: 4, text: row?.outro || "", placeholder: t("the default closing") });
  [subject, intro, outro].forEach((x) => x.addEventListener("input", schedule));
  const err = errorBox("mt-err");
  const status = el("p", { class: "muted small", id: "mt-status", role: "status", "aria-live": "polite" });
  const save = el("button", { type: "submit", class: "btn btn-primary", id: "mt-save", text: t("Save") });
  const test = el("button", { type: "button", class: "btn btn-ghost", id: "mt-test", text: t("Send me a test") });
  const reset = el("button", { type: "button", class: "btn btn-ghost", id: "mt-reset", text: t("Back to the default"), hidden: !row });
  const vars = Object.entries(s.data.variables).map(([k, help]) => el("li", {}, el("code", { text: `{{ ${k} }}` }), ` ${help}`));

  const parts = [
    el("div", { class: "two" }, field(t("Email"), kind), field(t("Language"), lang)),
    row?.last_failure
      ? el("p", { class: "error-box", role: "alert", id: "mt-failure", text: t("Sending could not use this text ({failure}); guests got the default. Fix and save it.", { failure: row.last_failure }) })
      : null,
    field(t("Subject"), subject, { help: t("empty: the default subject") }),
    field(t("Before the details"), intro, { help: t("empty: the default greeting; blank lines make paragraphs") }),
    field(t("After the details"), outro, { help: t("empty: the default closing; the manage link and policy lines follow") }),
    el("details", { class: "small" }, el("summary", { text: t("What you can use") }),
      el("ul", {}, ...vars),
      el("p", { class: "muted", text: `${t("Also {% if deposit %}…{% else %}…{% endif %} and the filters")} ${s.data.filters.join(", ")}. ${t("Anything else is refused.")}` })),
    status,
    err,
    el("div", { class: "row" }, save, test, reset),
  ];
  form.append(...parts.filter(Boolean));
  const draft = () => Object.fromEntries(PARTS.map((k) => [k, form.elements[k].value]));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    busy(save, async () => {
      clearErrors(form);
      setError(err, "");
      try {
        const out = await s.ctx.api.putMailTemplate(s.kind, s.lang, { version: saved()?.version || 0, ...draft() });
        s.data.items = [...s.data.items.filter((i) => i !== saved()), out];
        toast(t("Email template saved"));
        render(root);
      } catch (p) {
        report(form, err, p);
      }
    });
  });
  test.addEventListener("click", () =>
    busy(test, async () => {
      clearErrors(form);
      setError(err, "");
      try {
        const out = await s.ctx.api.testMailTemplate(s.kind, s.lang, draft());
        toast(t("Test queued to {to}", { to: out.to }));
      } catch (p) {
        report(form, err, p);
      }
    }),
  );
  reset.addEventListener("click", () =>
    busy(reset, async () => {
      try {
        await s.ctx.api.deleteMailTemplate(s.kind, s.lang);
        s.data.items = s.data.items.filter((i) => i !== saved());
        toast(t("Back to the default text"));
        render(root);
      } catch (p) {
        setError(err, staffMessage(p));
      }
    }),
  );

  const frame = el("iframe", { id: "mt-preview", class: "b-frame", title: t("Email preview") });
  const previewSubject = el("p", { id: "mt-preview-subject", class: "small" });
  root.replaceChildren(
    el("div", { class: "b-grid" },
      el("section", { class: "panel", "aria-label": t("Email template") }, form),
      el("section", { class: "panel b-preview", "aria-labelledby": "mt-prev-h" },
        el("h2", { class: "panel-title", id: "mt-prev-h", text: t("Preview") }),
        previewSubject,
        frame)),
  );
  s.draft = draft;
  schedule();
}

function report(form, err, p) {
  const left = p.body?.errors ? showErrors(form, p.body.errors) : [];
  if (!p.body?.errors || left.length) setError(err, staffMessage(p));
}

function schedule() {
  clearTimeout(s.timer);
  s.timer = setTimeout(preview, 300);
}

async function preview() {
  const form = $("mt-form");
  if (!form) return;
  const seq = ++s.seq;
  try {
    const out = await s.ctx.api.previewMailTemplate(s.kind, s.lang, s.draft());
    if (seq !== s.seq) return;
    clearErrors(form);
    $("mt-status").textContent = "";
    $("mt-preview-subject").textContent = t("Subject: {subject}", { subject: out.subject });
    // The frame loads the same draft as a page with its own policy (the console's own
    // would block the email's inline styles in a srcdoc).
    const params = new URLSearchParams(Object.entries(s.draft()).filter(([, v]) => v));
    const kind = encodeURIComponent(s.kind);
    const lang = encodeURIComponent(s.lang);
    const page = `/api/v1/staff/venues/${encodeURIComponent(s.ctx.slug)}/mail-templates/${kind}/${lang}/preview.html`;
    $("mt-preview").src = `${page}?${params}`;
  } catch (p) {
    if (seq !== s.seq) return;
    const why = (p.body?.errors || []).map((e) => `${e.field}: ${e.message}`).join("; ") || staffMessage(p);
    $("mt-status").textContent = t("Not shown: {why}. The preview keeps the last draft that passed.", { why });
  }
}
