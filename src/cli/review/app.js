// The review page: renders /api/view, sends each change to /api/edit, confirms through
// /api/confirm. Every value from the mapping or the export is set as text (textContent,
// value), never as markup.
"use strict";

const ON_ERROR = ["drop_field", "reject", "queue"];
const POLICY_CHOICES = {
  orphans: ["queue", "reject", "drop_link"],
  ambiguous_match: ["reject", "first"],
  date_order: ["iso", "day_first", "month_first"],
};
const POLICY_TEXT = ["owner_fallback", "default_country", "default_currency", "default_offset"];
const POLICY_SWITCHES = ["decimal_comma", "truncate_long_text"];

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "text") e.textContent = v;
    else if (k === "class") e.className = v;
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

let seq = 0;
function uid(prefix) {
  seq += 1;
  return prefix + "-" + seq;
}

function status(text, error) {
  const s = document.getElementById("status");
  s.textContent = text;
  s.className = error ? "error" : "";
}

async function call(url, body) {
  const res = await fetch(url, {
    method: body === undefined ? "GET" : "POST",
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await res.json();
  if (!res.ok) throw new Error(data.error || res.statusText);
  return data;
}

async function change(edit, what) {
  status("Saving " + what + "…");
  try {
    render(await call("/api/edit", edit));
    status("Saved " + what + " into the mapping; samples refreshed.");
  } catch (e) {
    status("Not saved: " + e.message, true);
  }
}

function select(key, label, options, current, onChange) {
  const id = uid("s");
  const s = el("select", { id, "data-key": key });
  for (const o of options) s.append(el("option", { value: o, text: o, selected: o === current }));
  s.addEventListener("change", () => onChange(s.value));
  return [el("label", { for: id, class: "visually-hidden", text: label }), s];
}

function input(key, label, current, onChange, list) {
  const id = uid("i");
  const i = el("input", { type: "text", id, "data-key": key, list });
  i.value = current;
  i.addEventListener("change", () => onChange(i.value));
  return [el("label", { for: id, class: "visually-hidden", text: label }), i];
}

function cell(...children) {
  return el("td", {}, ...children);
}

function renderObject(o, oi) {
  const id = "object-" + oi;
  const sec = el("section", { class: "object", id, "aria-labelledby": id + "-h" });
  sec.append(el("h2", { id: id + "-h", text: o.source + " → " + o.target }));
  sec.append(el("p", { class: "rules", text: o.records + " records in the export." }));
  if (o.when) sec.append(el("p", { class: "rules", text: "Only when " + o.when + " (split rule)." }));
  if (o.skip_when) sec.append(el("p", { class: "rules", text: "Skipped when " + o.skip_when + "." }));
  const t = o.outcome;
  sec.append(el("p", {
    class: t.rejected + t.queued > 0 ? "bad" : "ok",
    text: `Dry run: ${t.loaded} load, ${t.partial} load with values left out, ${t.rejected} rejected, ${t.queued} queued for review, ${t.skipped} skipped.`,
  }));
  if (t.reasons.length) {
    const tb = el("tbody");
    for (const [kind, reason, n] of t.reasons) tb.append(el("tr", {}, cell(kind), cell(reason), el("td", { class: "num", text: n })));
    sec.append(el("table", { class: "reasons" },
      el("caption", { text: "What the destination's model would refuse, by reason" }),
      el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "kind" }), el("th", { scope: "col", text: "reason" }), el("th", { scope: "col", class: "num", text: "records" }))),
      tb));
  }
  const listId = "fields-" + oi;
  const dl = el("datalist", { id: listId });
  for (const f of o.model_fields) dl.append(el("option", { value: f }));
  sec.append(dl);
  const body = el("tbody");
  o.fields.forEach((f, fi) => {
    const key = `f-${oi}-${fi}-`;
    const what = `${o.source}.${f.source}`;
    const samples = el("ul", { class: "samples" });
    for (const [before, after] of f.samples) {
      samples.append(el("li", {}, before, el("span", { class: "arrow", text: " → " }), after));
    }
    if (!f.samples.length) samples.append(el("li", { text: "(no values in the export)" }));
    body.append(el("tr", {},
      el("th", { scope: "row", text: f.source }),
      cell(...input(key + "target", "Target field of " + what, f.target,
        (v) => change({ kind: "field", object: oi, field: fi, key: "target", value: v }, "the target of " + what), listId)),
      cell(...select(key + "transform", "Transform of " + what, window.TRANSFORMS, f.transform,
        (v) => change({ kind: "field", object: oi, field: fi, key: "transform", value: v }, "the transform of " + what))),
      cell(...select(key + "on_error", "On error for " + what, ON_ERROR, f.on_error,
        (v) => change({ kind: "field", object: oi, field: fi, key: "on_error", value: v }, "on_error of " + what))),
      el("td", { class: "num", text: f.confidence === null ? "" : f.confidence.toFixed(2) }),
      el("td", { class: f.flag ? "flag" : "", text: f.flag ? "CHECK: " + f.flag : "" }),
      cell(samples)));
  });
  sec.append(el("table", { class: "fields" },
    el("caption", { text: "Field rules (samples: the export's value → what the run loads)" }),
    el("thead", {}, el("tr", {}, ...["source field", "target field", "transform", "on error", "confidence", "CHECK", "samples"].map((h) => el("th", { scope: "col", text: h })))),
    body));
  for (const vm of o.value_maps) {
    const vb = el("tbody");
    for (const [from, to, n] of vm.entries) {
      const what = `${o.source} ${vm.field} value "${from}"`;
      vb.append(el("tr", { class: "vm-entry" },
        el("th", { scope: "row", text: from }),
        cell(...input(`vm-${oi}-${vm.field}-${from}`, `Option for ${what}`, to,
          (v) => change({ kind: "value_map", object: oi, map: vm.field, from, value: v }, "the option for " + what))),
        el("td", { class: "num", text: n })));
    }
    for (const [from, n] of vm.unmapped) {
      const what = `${o.source} ${vm.field} value "${from}"`;
      vb.append(el("tr", { class: "vm-unmapped" },
        el("th", { scope: "row", text: from + " (not in the map)" }),
        cell(...input(`vm-${oi}-${vm.field}-${from}`, `Option for ${what}`, "",
          (v) => change({ kind: "value_map", object: oi, map: vm.field, from, value: v }, "the option for " + what))),
        el("td", { class: "num", text: n })));
    }
    sec.append(el("table", { class: "value-map" },
      el("caption", { text: `Value map for ${vm.field}` }),
      el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "source value" }), el("th", { scope: "col", text: "destination option" }), el("th", { scope: "col", class: "num", text: "records" }))),
      vb));
  }
  return sec;
}

function renderPolicies(p) {
  const box = document.getElementById("policies");
  box.replaceChildren();
  const send = (key) => (v) => change({ kind: "policy", key, value: v }, "policy " + key);
  for (const [key, options] of Object.entries(POLICY_CHOICES)) {
    const [label, s] = select("p-" + key, key, options, p[key], send(key));
    label.className = "";
    box.append(el("div", {}, label, s));
  }
  for (const key of POLICY_TEXT) {
    const [label, i] = input("p-" + key, key, p[key] || "", send(key));
    label.className = "";
    box.append(el("div", {}, label, i));
  }
  for (const key of POLICY_SWITCHES) {
    const [label, s] = select("p-" + key, key, ["true", "false"], String(p[key]), send(key));
    label.className = "";
    box.append(el("div", {}, label, s));
  }
  const dd = Object.entries(p.dedupe || {}).map(([o, f]) => o + " by " + f).join(", ");
  box.append(el("div", {}, el("span", { class: "label", text: "Duplicates merge on: " + (dd || "nothing") })));
}

function render(v) {
  const focused = document.activeElement && document.activeElement.getAttribute("data-key");
  window.TRANSFORMS = v.transforms;
  document.getElementById("file").textContent = `${v.path} — from ${v.from}, validated against the ${v.model} model.`;
  const c = document.getElementById("confirmation");
  c.textContent = {
    confirmed: "Confirmed (" + v.stamp + "). Runs to any destination will use it.",
    unconfirmed: "Not confirmed yet: runs to a real destination refuse it. Read it, fix what is wrong, then confirm.",
    edited: "Edited since it was confirmed: confirm it again.",
  }[v.confirmation];
  c.className = v.confirmation === "confirmed" ? "ok" : "bad";
  document.getElementById("command").textContent = v.command;
  document.getElementById("next").hidden = v.confirmation !== "confirmed";
  document.getElementById("model").textContent = v.model_error
    ? "The mapping does not fit the model: " + v.model_error
    : (() => {
        const sum = (k) => v.objects.reduce((n, o) => n + o.outcome[k], 0);
        return `Every field rule fits the model. A dry run of the whole export: ${sum("loaded")} records load as they are, ` +
          `${sum("partial")} load with values left out, ${sum("rejected")} would be rejected, ${sum("queued")} queued for review, ` +
          `${sum("skipped")} skipped (per object below).`;
      })();
  document.getElementById("model").className = v.model_error ? "bad" : "ok";
  const toc = document.getElementById("toc");
  toc.replaceChildren(...v.objects.map((o, i) => el("li", {}, el("a", { href: "#object-" + i, text: `${o.source} → ${o.target}` }))));
  document.getElementById("objects").replaceChildren(...v.objects.map(renderObject));
  const schema = document.getElementById("schema");
  schema.replaceChildren(...(v.schema_changes.length ? v.schema_changes : ["Nothing: the destination has every field and option already."]).map((s) => el("li", { text: s })));
  renderPolicies(v.policies);
  if (focused) {
    const again = [...document.querySelectorAll("[data-key]")].find((e) => e.getAttribute("data-key") === focused);
    if (again) again.focus();
  }
  document.body.setAttribute("data-state", v.confirmation);
}

document.addEventListener("DOMContentLoaded", async () => {
  document.getElementById("confirm").addEventListener("click", async () => {
    status("Confirming…");
    try {
      render(await call("/api/confirm", {}));
      status("Confirmed: the stamp is in the mapping.");
      document.getElementById("command").focus();
    } catch (e) {
      status("Not confirmed: " + e.message, true);
    }
  });
  try {
    render(await call("/api/view"));
    status("");
  } catch (e) {
    status("Cannot load the mapping: " + e.message, true);
  }
});
