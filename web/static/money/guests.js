// Guest profiles: search, view, edit tags and notes, merge a duplicate, export, erase.
// Floor staff can search and edit; merge, export and erase are for owners and managers.

import { dayLabel } from "../api.js";
import { busy, facts, statusPill } from "../console/ui.js";
import { $, call, el, money, query, signIn, staffMessage, staffTop, toast } from "./common.js";
import { t } from "../i18n.js";

const ROLES = ["owner", "manager", "floor"];
const s = { me: null, S: "", guest: null, q: "" };
const manager = () => ["owner", "manager"].includes(s.me?.role);

signIn({
  onReady: (me) => {
    s.me = me;
    $("main").hidden = false;
    if (!ROLES.includes(me.role)) {
      $("m-top").hidden = false;
      $("view-guests").hidden = true;
      const box = $("m-blocked");
      box.replaceChildren(`${t("Not allowed for your role.")} `, el("a", { href: me.role === "host" ? "/host" : "/admin/money", text: t("Go back") }));
      box.hidden = false;
      return;
    }
    staffTop(me, "guests", (v) => {
      s.S = `/api/v1/staff/venues/${encodeURIComponent(v.slug)}`;
      document.title = `${v.name} · Guests`;
      search("");
    });
  },
});

$("g-search").addEventListener("submit", (ev) => {
  ev.preventDefault();
  search($("g-q").value.trim());
});

async function search(q) {
  s.q = q;
  const body = $("g-results").tBodies[0];
  let rows;
  try {
    rows = await call("GET", `${s.S}/guests${query({ q, limit: 100 })}`);
  } catch (p) {
    body.replaceChildren(el("tr", {}, el("td", { colspan: 5, class: "error-box", text: staffMessage(p) })));
    return;
  }
  body.replaceChildren(
    ...(rows.length
      ? rows.map((g) =>
        el(
          "tr",
          {
            class: `g-row${s.guest?.id === g.id ? " selected" : ""}`,
            tabindex: "0",
            "data-guest-id": g.id,
            onclick: () => open(g.id),
            onkeydown: (ev) => (ev.key === "Enter" || ev.key === " ") && (ev.preventDefault(), open(g.id)),
          },
          el("th", { scope: "row", text: g.name || "—" }),
          el("td", { class: "small", text: [g.email, g.phone].filter(Boolean).join(" · ") || "—" }),
          el("td", {}, ...tagChips(g.tags)),
          el("td", { class: "num", text: String(g.visits) }),
          el("td", { class: "num", text: String(g.bookings) }),
        ))
      : [el("tr", {}, el("td", { colspan: 5, class: "muted empty", text: q ? t("No guest matches “{q}”.", { q }) : t("No guests yet.") }))]),
  );
}

const tagChips = (tags) => (tags || []).map((tb) => el("span", { class: `g-tag${tb.toLowerCase() === "vip" ? " vip" : ""}`, text: tb }));

async function open(id) {
  document.querySelectorAll(".g-row").forEach((r) => r.classList.toggle("selected", r.dataset.guestId === id));
  try {
    s.guest = await call("GET", `${s.S}/guests/${id}`);
  } catch (p) {
    toast(staffMessage(p));
    return;
  }
  render();
}

function render() {
  const g = s.guest;
  const box = $("g-profile");
  const cur = g.currency;
  const tags = new Set(g.tags || []);
  const tagList = el("div", { class: "g-tags", id: "g-tags" });
  const drawTags = () =>
    tagList.replaceChildren(
      ...[...tags].map((tb) =>
        el("span", { class: `g-tag${tb.toLowerCase() === "vip" ? " vip" : ""}` }, tb, el("button", { type: "button", class: "g-tag-x", "aria-label": t("Remove tag {tag}", { tag: tb }), text: "×", onclick: () => { tags.delete(tb); drawTags(); } }))),
    );
  drawTags();
  const tagInput = el("input", { id: "g-tag-input", type: "text", maxlength: 40, placeholder: t("Add a tag (e.g. VIP)"), "aria-label": t("New tag") });
  const addTag = () => {
    const tb = tagInput.value.trim();
    if (tb) tags.add(tb);
    tagInput.value = "";
    drawTags();
  };
  tagInput.addEventListener("keydown", (ev) => ev.key === "Enter" && (ev.preventDefault(), addTag()));
  const notes = el("textarea", { id: "g-notes", rows: 3, maxlength: 2000, "aria-label": t("Notes") });
  notes.value = g.notes || "";
  const save = el("button", {
    type: "button",
    class: "btn btn-primary btn-compact",
    id: "g-save",
    text: t("Save tags & notes"),
    onclick: () =>
      busy(save, async () => {
        try {
          s.guest = await call("PATCH", `${s.S}/guests/${g.id}`, { tags: [...tags], notes: notes.value });
          toast(t("Saved"));
          render();
          search(s.q);
        } catch (p) {
          toast(staffMessage(p));
        }
      }),
  });
  const erased = !!g.erased_at;
  const parts = [
    el("div", { class: "side-head" }, el("h2", { id: "g-name", text: g.name || "—" }), ...tagChips(g.tags)),
    el("p", { class: "muted small", text: [g.email, g.phone].filter(Boolean).join(" · ") || (erased ? t("Erased") : t("No contact details")) }),
    erased ? el("p", { class: "c-warn", text: t("Erased {day}: personal data removed; money records kept anonymised.", { day: dayLabel(g.erased_at.slice(0, 10)) }) }) : null,
    g.merged_into_id ? el("p", { class: "c-warn", text: t("Merged into another profile.") }) : null,
    facts([
      [t("Visits"), String(g.visits)],
      [t("No-shows"), String(g.no_shows)],
      [t("Cancellations (late)"), `${g.cancellations} (${g.late_cancellations})`],
      [t("Total minimums"), money(g.total_minimums || 0, cur)],
      [t("Total spend"), money(g.total_spend || 0, cur), "strong"],
      [t("Brought by"), g.brought_by ? `${g.brought_by.name} (${g.brought_by.code})` : "—"],
    ]),
    el("h3", { text: t("Tags & notes") }),
    tagList,
    el("div", { class: "inline-form" }, tagInput, el("button", { type: "button", class: "btn btn-ghost btn-compact", text: t("Add"), onclick: addTag }), el("button", { type: "button", class: "btn btn-ghost btn-compact", text: t("+ VIP"), onclick: () => { tags.add("VIP"); drawTags(); } })),
    notes,
    el("div", { class: "row g-actions" }, save),
    el("h3", { text: t("Reservations ({n})", { n: g.reservations.length }) }),
    el(
      "ul",
      { class: "g-res" },
      ...g.reservations.map((r) =>
        el("li", {}, el("span", { text: dayLabel(r.date) }), statusPill(r.status), el("span", { class: "small muted", text: t("{n} guests", { n: r.party_size }) }), el("span", { class: "num small", text: `${money(r.minimum, r.currency)}${r.spend != null ? ` · ${t("spent {amount}", { amount: money(r.spend, r.currency) })}` : ""}` }))),
    ),
    manager() && !erased ? managerTools(g) : null,
  ];
  box.replaceChildren(...parts.filter(Boolean));
}

function managerTools(g) {
  const dupQ = el("input", { type: "search", id: "g-dup-q", placeholder: t("Find the duplicate"), "aria-label": t("Find the duplicate profile") });
  const dupList = el("ul", { class: "g-dups" });
  const findDup = async () => {
    const rows = await call("GET", `${s.S}/guests${query({ q: dupQ.value.trim(), limit: 20 })}`).catch(() => []);
    dupList.replaceChildren(
      ...rows.filter((x) => x.id !== g.id).map((x) =>
        el("li", {}, el("span", { text: `${x.name} · ${[x.email, x.phone].filter(Boolean).join(" · ")} · ${x.bookings} bookings` }), el("button", {
          type: "button",
          class: "btn btn-ghost btn-compact",
          text: t("Merge into this"),
          onclick: async () => {
            if (!confirm(t("Merge {duplicate} into {guest}? Their bookings move here and the duplicate is closed.", { duplicate: x.name, guest: g.name }))) return;
            try {
              s.guest = await call("POST", `${s.S}/guests/${g.id}/merge`, { duplicate_id: x.id });
              toast(t("Merged: {n} bookings moved", { n: s.guest.moved_reservations ?? 0 }));
              render();
              search(s.q);
            } catch (p) {
              toast(staffMessage(p));
            }
          },
        }))),
    );
  };
  dupQ.addEventListener("keydown", (ev) => ev.key === "Enter" && (ev.preventDefault(), findDup()));
  const reason = el("input", { type: "text", id: "g-erase-reason", maxlength: 300, placeholder: t("Reason (e.g. guest's request by email)"), "aria-label": t("Reason for erasure") });
  const exportBtn = el("button", {
    type: "button",
    class: "btn btn-ghost btn-compact",
    id: "g-export",
    text: t("Export data (JSON)"),
    onclick: async () => {
      try {
        const data = await call("GET", `${s.S}/guests/${g.id}/export`);
        const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: "application/json" }));
        const a = el("a", { href: url, download: `guest-${g.id}.json` });
        document.body.append(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(url), 2000);
      } catch (p) {
        toast(staffMessage(p));
      }
    },
  });
  const erase = el("button", {
    type: "button",
    class: "btn btn-danger btn-compact",
    id: "g-erase",
    text: t("Erase personal data"),
    onclick: async () => {
      if (!reason.value.trim()) {
        toast(t("Give a reason for the erasure."));
        reason.focus();
        return;
      }
      if (!confirm(t("Erase {name}'s personal data? This can't be undone; money records are kept anonymised.", { name: g.name }))) return;
      try {
        s.guest = await call("POST", `${s.S}/guests/${g.id}/erase`, { reason: reason.value.trim() });
        toast(t("Erased"));
        render();
        search(s.q);
      } catch (p) {
        toast(staffMessage(p));
      }
    },
  });
  return el(
    "div",
    { class: "danger-zone" },
    el("h3", { text: t("Merge a duplicate into this profile") }),
    el("div", { class: "inline-form" }, dupQ, el("button", { type: "button", class: "btn btn-ghost btn-compact", text: t("Find"), onclick: findDup })),
    dupList,
    el("h3", { text: t("Data requests") }),
    el("div", { class: "row" }, exportBtn),
    el("div", { class: "inline-form" }, reason, erase),
  );
}
