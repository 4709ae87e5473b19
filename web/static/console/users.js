// Managers: who can sign in, add an account, reset someone's password; and your own password.

import { account, staffMessage } from "./http.js";
import { $, busy, button, clearErrors, el, errorBox, field, setError, showErrors, toast, when } from "./ui.js";
import { t } from "../i18n.js";

const ROLES = { owner: t("Owner"), manager: t("Manager"), floor: t("Floor staff"), host: t("Host"), finance: t("Finance") };

export async function show(ctx) {
  const root = $("users-root");
  let users;
  let hosts = [];
  try {
    [users, hosts] = await Promise.all([account.users(), ctx.api.hosts().catch(() => [])]);
  } catch (p) {
    root.replaceChildren(el("p", { class: "error-box", text: staffMessage(p) }));
    return;
  }
  root.replaceChildren(el("div", { class: "users-grid" },
    el("div", { class: "panel" }, el("h2", { class: "panel-title", text: `${users.length} accounts` }), table(users, ctx)),
    el("div", {}, addForm(ctx, hosts), ownPassword())));
}

function table(users, ctx) {
  return el("table", { class: "data-table", id: "users-table" },
    el("thead", {}, el("tr", {}, ...[t("Name"), t("Email"), t("Role"), t("Since"), ""].map((h) => el("th", { scope: "col", text: h })))),
    el("tbody", {}, ...users.map((u) => {
      const cell = el("td", {});
      const canReset = u.role !== "owner" || ctx.role === "owner";
      if (canReset && u.id !== ctx.me.id) cell.append(button(t("Reset password"), "btn-ghost btn-compact", () => resetForm(u, cell)));
      return el("tr", { "data-email": u.email }, el("td", {}, el("strong", { text: u.name })), el("td", { text: u.email }),
        el("td", {}, el("span", { class: "role-chip", text: ROLES[u.role] || u.role })), el("td", { class: "muted small", text: when(u.created_at) }), cell);
    })));
}

function resetForm(u, cell) {
  const pw = el("input", { type: "password", autocomplete: "new-password", "aria-label": t("New password for {name}", { name: u.name }), minlength: 10 });
  const err = errorBox();
  const form = el("form", { class: "inline-form", novalidate: true }, pw, el("button", { type: "submit", class: "btn btn-primary btn-compact", text: t("Set") }), err);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    busy(ev.submitter, async () => {
      try {
        await account.resetPassword(u.id, pw.value);
        toast(t("Password reset for {name}; their sessions ended", { name: u.name }));
        cell.replaceChildren(el("span", { class: "muted small", text: t("Password reset") }));
      } catch (p) {
        setError(err, p.errors.length ? p.errors.map((e) => e.message).join("; ") : staffMessage(p));
      }
    });
  });
  cell.replaceChildren(form);
  pw.focus();
}

function addForm(ctx, hosts) {
  const name = el("input", { type: "text", name: "name", maxlength: 200 });
  const email = el("input", { type: "email", name: "email", maxlength: 254, autocomplete: "off" });
  const roles = Object.entries(ROLES).filter(([r]) => r !== "owner" || ctx.role === "owner");
  const role = el("select", { name: "role" }, ...roles.map(([v, tb]) => new Option(tb, v, false, v === "floor")));
  const host = el("select", { name: "host_id" }, new Option("—", ""), ...hosts.map((h) => new Option(h.name, h.id)));
  const hostField = field(t("Host profile"), host);
  hostField.hidden = true;
  role.addEventListener("change", () => (hostField.hidden = role.value !== "host"));
  const pw = el("input", { type: "password", name: "password", autocomplete: "new-password" });
  const err = errorBox("user-error");
  const form = el("form", { class: "panel", novalidate: true, id: "user-form" },
    el("h2", { class: "panel-title", text: t("Add someone") }),
    field(t("Name"), name), field(t("Email"), email), el("div", { class: "two" }, field(t("Role"), role), hostField), field(t("Password"), pw),
    err, el("button", { type: "submit", class: "btn btn-primary", text: t("Add account") }));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    clearErrors(form);
    setError(err, "");
    const body = { name: name.value.trim(), email: email.value.trim(), role: role.value, password: pw.value };
    if (role.value === "host" && host.value) body.host_id = host.value;
    busy(ev.submitter, async () => {
      try {
        await account.addUser(body);
        toast(t("{name} can now sign in", { name: body.name }));
        await show(ctx);
      } catch (p) {
        const left = showErrors(form, p.errors);
        if (!p.errors.length || left.length) setError(err, staffMessage(p));
      }
    });
  });
  return form;
}

function ownPassword() {
  const cur = el("input", { type: "password", name: "current_password", autocomplete: "current-password" });
  const next = el("input", { type: "password", name: "new_password", autocomplete: "new-password" });
  const err = errorBox();
  const form = el("form", { class: "panel", novalidate: true }, el("h2", { class: "panel-title", text: t("Your password") }),
    field(t("Current password"), cur), field(t("New password"), next), err,
    el("p", { class: "muted small", text: t("Changing it signs you out everywhere, here too.") }),
    el("button", { type: "submit", class: "btn btn-ghost", text: t("Change my password") }));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    clearErrors(form);
    busy(ev.submitter, async () => {
      try {
        await account.changePassword({ current_password: cur.value, new_password: next.value });
        location.replace("/admin/login");
      } catch (p) {
        const left = showErrors(form, p.errors);
        if (!p.errors.length || left.length) setError(err, staffMessage(p));
      }
    });
  });
  return form;
}
