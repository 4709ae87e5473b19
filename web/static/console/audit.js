// Managers' audit trail (paged, filterable by entity) and the local mail outbox (demo).

import { account, staffMessage } from "./http.js";
import { $, button, el, field, when } from "./ui.js";
import { t } from "../i18n.js";

const PER_PAGE = 50;
const a = { page: 1, entity: "", entityId: "" };
let actorName = (x) => x;

export async function show(ctx, [entity, entityId] = []) {
  actorName = (x) => ctx.actorName(x);
  if (entity !== undefined) Object.assign(a, { entity, entityId: entityId || "", page: 1 });
  const root = $("audit-root");
  const ent = el("select", { id: "au-entity", name: "entity" }, ...["", "reservation", "night", "table", "area", "floor_plan", "rules", "pricing", "staff_user", "block"].map((x) => new Option(x || t("Everything"), x, false, x === a.entity)));
  const eid = el("input", { type: "text", id: "au-id", name: "entity_id", value: a.entityId, placeholder: t("id (optional)") });
  const form = el("form", { class: "filters panel" }, el("div", { class: "filter-row" }, field(t("Entity"), ent), field(t("Id"), eid),
    el("div", { class: "filter-go" }, el("button", { type: "submit", class: "btn btn-primary", text: t("Filter") }))));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    Object.assign(a, { entity: ent.value, entityId: eid.value.trim(), page: 1 });
    show(ctx);
  });
  const list = el("div", { class: "panel", "aria-live": "polite" }, el("p", { class: "muted", text: t("Loading…") }));
  root.replaceChildren(form, list);
  let rows;
  try {
    rows = await account.audit({ entity: a.entity, entity_id: a.entityId, page: a.page, per_page: PER_PAGE });
  } catch (p) {
    list.replaceChildren(el("p", { class: "error-box", text: staffMessage(p) }));
    return;
  }
  const go = (n) => {
    a.page = n;
    show(ctx);
  };
  list.replaceChildren(
    rows.length
      ? el("table", { class: "data-table audit-table" },
        el("thead", {}, el("tr", {}, ...[t("When"), t("Who"), t("What"), t("Entity"), t("Change")].map((h) => el("th", { scope: "col", text: h })))),
        el("tbody", {}, ...rows.map(auditRow)))
      : el("p", { class: "muted", text: t("Nothing recorded.") }),
    el("nav", { class: "pager", "aria-label": t("Pages") },
      button(t("‹ Newer"), "btn-ghost btn-compact", () => go(a.page - 1), { disabled: a.page <= 1 }),
      el("span", { class: "muted", text: t("Page {page}", { page: a.page }) }),
      button(t("Older ›"), "btn-ghost btn-compact", () => go(a.page + 1), { disabled: rows.length < PER_PAGE })),
  );
}

function changed(before, after) {
  if (!after && !before) return "";
  if (!before) return Object.entries(after || {}).filter(([k]) => !["id", "tenant_id"].includes(k)).slice(0, 6).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(", ");
  const keys = new Set([...Object.keys(before), ...Object.keys(after || {})]);
  return [...keys].filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after?.[k]) && k !== "version")
    .map((k) => `${k}: ${JSON.stringify(before[k])} → ${JSON.stringify(after?.[k])}`).join(", ");
}

function auditRow(r) {
  return el("tr", {},
    el("td", { class: "nowrap", text: when(r.at) }),
    el("td", { class: "muted small", text: actorName(r.actor) }),
    el("td", {}, el("strong", { text: r.action })),
    el("td", {}, el("a", { href: `#/audit/${encodeURIComponent(r.entity)}/${encodeURIComponent(r.entity_id)}`, text: `${r.entity} ${String(r.entity_id).slice(0, 8)}` })),
    el("td", { class: "small diff", text: changed(r.before, r.after) }));
}

// ---------- mail outbox -----------------------------------------------------------------

export async function showMail(ctx, [id] = []) {
  const root = $("mail-root");
  const list = el("div", { class: "panel mail-list" }, el("p", { class: "muted", text: t("Loading…") }));
  const view = el("article", { class: "panel mail-view", id: "mail-view" }, el("p", { class: "muted", text: t("Choose a message.") }));
  const warn = el("p", { class: "c-warn", hidden: true });
  root.replaceChildren(warn, el("div", { class: "mail-grid" }, list, view));
  ctx.api.overdue().then((o) => {
    if (o.warning) {
      warn.textContent = t("{message}: is a worker running, and is mail configured?", { message: o.message });
      warn.hidden = false;
    }
  }, () => {});
  let rows;
  try {
    rows = await ctx.api.mail(100);
  } catch (p) {
    list.replaceChildren(el("p", { class: "error-box", text: staffMessage(p) }));
    return;
  }
  const open = async (mid) => {
    list.querySelectorAll("button").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.mailId === mid)));
    history.replaceState(null, "", `#/mail/${mid}`);
    try {
      const m = await ctx.api.mailOne(mid);
      view.replaceChildren(
        el("h2", { class: "panel-title", text: m.headers.Subject || "(no subject)" }),
        el("dl", { class: "facts" }, ...[t("From"), t("To"), t("Date")].map((k) => el("div", {}, el("dt", { text: k }), el("dd", { text: m.headers[k] || "—" })))),
        el("pre", { class: "mail-text", text: m.text || "(no plain-text part)" }),
        m.attachments?.length ? el("p", { class: "muted small", text: t("Attachments: {files}", { files: m.attachments.map((x) => x.filename || x.content_type).join(", ") }) }) : "",
      );
    } catch (p) {
      view.replaceChildren(el("p", { class: "error-box", text: staffMessage(p) }));
    }
  };
  list.replaceChildren(
    rows.length
      ? el("ul", { class: "mail-items" }, ...rows.map((m) => el("li", {}, el("button", { type: "button", class: "mail-item", "data-mail-id": m.id, "aria-pressed": "false", onclick: () => open(m.id) },
        el("strong", { text: m.subject }), el("span", { class: "muted small", text: `${m.to} · ${when(m.at)}` })))))
      : el("p", { class: "muted", text: t("The outbox is empty.") }),
  );
  if (id) open(id);
}
