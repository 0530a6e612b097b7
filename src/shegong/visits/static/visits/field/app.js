// The worker's field app: today's list, the assigned recipients, the visit form and contact edits, all usable
// without signal; records wait in the encrypted outbox and are sent in order when the network returns.
import * as store from "./store.js";

const config = JSON.parse(document.getElementById("field-config").textContent);
const T = config.strings;
const API = config.api;
const BATCH = 20;
const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v === true ? "" : v);
  }
  for (const child of children.flat()) if (child !== null && child !== undefined) node.append(child);
  return node;
}

function fmt(template, values) {
  return template.replace(/%\((\w+)\)s/g, (_m, name) => String(values[name] ?? ""));
}

function csrf() {
  const cookie = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
  return cookie ? cookie.split("=")[1] : config.csrf;
}

async function api(path, options = {}) {
  const response = await fetch(API + path, {
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
    ...options,
  });
  let body = null;
  try { body = await response.json(); } catch (error) { body = null; }
  return { status: response.status, body };
}

let state = { recipients: [], outbox: [], conflicts: [], view: "today", syncing: false };

function say(text, kind = "info") {
  const box = $("field-status-message");
  box.textContent = text;
  box.className = `field-message field-${kind}`;
}

// -- unlocking -------------------------------------------------------------------------------------------------

async function device() {
  let token = await store.getMeta("device");
  if (!token) {
    token = crypto.randomUUID();
    await store.setMeta("device", token);
  }
  return token;
}

async function unlock(password) {
  if ((await store.getMeta("user")) && (await store.getMeta("user")) !== config.user) await store.wipe();
  if (navigator.onLine) {
    const answer = await api("/sync/unlock", { method: "POST", body: JSON.stringify({ device: await device(), password }) });
    if (answer.status === 200) {
      await store.keepKey(answer.body.key, password);
      await store.setMeta("user", config.user);
      return true;
    }
    if (answer.status === 422) return false;
    if (answer.status === 403) {
      // This phone's copy was revoked: wipe it; the worker, who knows the password, may enrol the phone again.
      await store.wipe();
      return unlock(password);
    }
    if (answer.status !== 0 && answer.status < 500 && answer.status !== 401) return false;
  }
  return store.unwrapKey(password);
}

async function tooOld() {
  const last = await store.getMeta("last_sync");
  const days = (await store.getMeta("wipe_after_days")) || config.wipe_after_days;
  return last && Date.now() - Date.parse(last) > days * 86400000;
}

async function start() {
  if (!(await store.getMeta("device"))) await device();
  if (await tooOld()) {
    await store.wipe();
    say(T.wiped_old, "warn");
  }
  $("field-lock").hidden = false;
  $("field-main").hidden = true;
  $("field-unlock-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const password = $("field-password").value;
    $("field-unlock-error").textContent = "";
    if (!navigator.onLine && !(await store.hasKey())) {
      $("field-unlock-error").textContent = T.first_online;
      return;
    }
    if (!(await unlock(password))) {
      $("field-unlock-error").textContent = T.wrong_password;
      return;
    }
    $("field-password").value = "";
    $("field-lock").hidden = true;
    $("field-main").hidden = false;
    await refresh();
    if (navigator.onLine) sync();
  });
  window.addEventListener("online", () => { online(); if (store.unlocked()) sync(); });
  window.addEventListener("offline", online);
  online();
}

function online() {
  const on = navigator.onLine;
  const badge = $("field-online");
  badge.textContent = on ? T.online : T.offline;
  badge.className = on ? "field-badge field-on" : "field-badge field-off";
}

// -- sync ------------------------------------------------------------------------------------------------------

async function checkRevoked() {
  try {
    const answer = await fetch(`${API}/sync/device/${await store.getMeta("device")}`);
    if (answer.ok && (await answer.json()).revoked) {
      await store.wipe();
      document.body.dataset.wiped = "1";
      say(T.revoked, "error");
      $("field-main").hidden = true;
      $("field-lock").hidden = true;
      return true;
    }
  } catch (error) { /* still offline */ }
  return false;
}

async function upload(token) {
  const pending = (await store.outbox()).filter((i) => i.state === "waiting" || i.state === "sending");
  let sent = 0;
  for (let start = 0; start < pending.length; start += BATCH) {
    const batch = pending.slice(start, start + BATCH);
    for (const item of batch) await store.setState(item.key, "sending");
    await refresh();
    let answer;
    try {
      answer = await api("/sync/upload", {
        method: "POST",
        body: JSON.stringify({
          device: token,
          records: batch.map((i) => ({ key: i.key, kind: i.kind, captured_at: i.created_at, payload: i.payload })),
        }),
      });
    } catch (error) {
      // The answer was lost: the records wait again under the same keys, and resending them is harmless.
      for (const item of batch) await store.setState(item.key, "waiting");
      throw error;
    }
    if (answer.status !== 200) {
      for (const item of batch) await store.setState(item.key, "waiting");
      return answer.status;
    }
    for (const result of answer.body.results) {
      if (result.status === "saved") await store.setState(result.key, "sent", "", { server_id: result.id, sent_at: new Date().toISOString() });
      else if (result.status === "conflict") await store.setState(result.key, "conflict", T.conflict_message, { conflict: result.conflict });
      else await store.setState(result.key, "attention", result.errors.map((e) => e.message).join("；"));
    }
    sent += batch.length;
    $("field-progress").textContent = fmt(T.progress, { n: sent, total: pending.length });
  }
  return 200;
}

async function download(token) {
  const cursor = (await store.getMeta("cursor")) || "";
  const answer = await api(`/sync/download?device=${encodeURIComponent(token)}&cursor=${encodeURIComponent(cursor)}`);
  if (answer.status !== 200) return answer.status;
  const section = answer.body.sections.recipients;
  await store.putRecipients(section.rows);
  if (section.keep) await store.keepRecipients(section.keep);
  await store.setMeta("wipe_after_days", section.wipe_after_days);
  await store.setSealed("conflicts", answer.body.conflicts);
  await store.setMeta("cursor", answer.body.cursor);
  await store.setMeta("last_sync", new Date().toISOString());
  // What the server confirmed more than three days ago leaves the phone (the server holds it).
  const old = Date.now() - 3 * 86400000;
  for (const item of await store.outbox()) {
    if (item.state === "sent" && item.sent_at && Date.parse(item.sent_at) < old) await store.drop(item.key);
  }
  return 200;
}

async function sync() {
  if (state.syncing || !store.unlocked()) return;
  state.syncing = true;
  document.body.dataset.syncing = "1";
  say(T.syncing);
  try {
    const token = await device();
    let status = await upload(token);
    if (status === 200) status = await download(token);
    if (status === 401 || status === 403) {
      if (!(await checkRevoked())) say(status === 401 ? T.login_again : T.sync_failed, "warn");
    } else if (status !== 200) {
      say(T.sync_failed, "warn");
    } else {
      say(fmt(T.synced, { time: new Date().toLocaleTimeString() }), "ok");
    }
  } catch (error) {
    say(T.sync_interrupted, "warn");
  } finally {
    state.syncing = false;
    delete document.body.dataset.syncing;
    if (store.unlocked()) await refresh();
  }
}

// -- views -----------------------------------------------------------------------------------------------------

async function refresh() {
  state.recipients = (await store.recipients()).sort((a, b) => String(a.next_due_on || "9").localeCompare(String(b.next_due_on || "9")) || a.id - b.id);
  state.outbox = await store.outbox();
  state.conflicts = (await store.getSealed("conflicts")) || [];
  const waiting = state.outbox.filter((i) => i.state === "waiting" || i.state === "sending");
  const count = $("field-waiting");
  count.textContent = waiting.length ? fmt(T.waiting_count, { n: waiting.length }) : T.nothing_waiting;
  count.dataset.count = String(waiting.length);
  const last = await store.getMeta("last_sync");
  $("field-last-sync").textContent = last ? fmt(T.last_sync, { time: new Date(last).toLocaleString() }) : T.never_synced;
  render();
}

function render() {
  for (const button of document.querySelectorAll("[data-view]")) {
    button.setAttribute("aria-pressed", String(button.dataset.view === state.view));
  }
  const main = $("field-view");
  main.replaceChildren();
  if (state.view === "today") main.append(todayView());
  else if (state.view === "recipients") main.append(recipientList(state.recipients, T.no_recipients));
  else if (state.view === "outbox") main.append(outboxView());
}

function todayView() {
  const today = new Date().toISOString().slice(0, 10);
  const due = state.recipients.filter((r) => r.next_due_on && r.next_due_on <= today);
  return el("section", {}, el("h2", { text: T.today_title }), recipientList(due, T.nothing_due));
}

function recipientList(rows, empty) {
  if (!rows.length) return el("p", { class: "muted", text: empty });
  return el("ul", { class: "field-list" }, rows.map((r) => el("li", { class: "field-card", "data-recipient": r.id },
    el("div", { class: "field-card-head" },
      el("strong", { text: r.name }),
      el("span", { class: `field-risk field-risk-${r.risk}`, text: r.risk_label })),
    el("div", { class: "muted", text: r.address || "" }),
    r.categories.length ? el("div", { class: "field-tags", text: r.categories.join(" · ") }) : null,
    el("div", { class: "muted", text: r.next_due_on ? fmt(T.due_on, { date: r.next_due_on }) : "" }),
    r.last_visits.length ? el("div", { class: "muted", text: fmt(T.last_visit, { date: r.last_visits[0].at.slice(0, 10), method: r.last_visits[0].method }) }) : null,
    el("div", { class: "field-actions" },
      el("button", { type: "button", class: "primary", text: T.record_visit, onclick: () => visitForm(r) }),
      el("button", { type: "button", text: T.edit_contact, onclick: () => contactForm(r) }),
      r.phone ? el("button", { type: "button", text: fmt(T.call, { phone: r.phone }), onclick: () => call(r) }) : null))));
}

async function call(r) {
  // The full number is revealed for one call (audited, the visit form's own reveal) and never kept on the phone.
  if (!navigator.onLine) { say(T.call_offline, "warn"); return; }
  try {
    const response = await fetch(`${config.call_url}${r.id}/`, {
      method: "POST", credentials: "same-origin", headers: { Accept: "application/json", "X-CSRFToken": csrf() },
    });
    if (!response.ok) { say(T.call_failed, "warn"); return; }
    window.location.href = (await response.json()).tel;
  } catch (error) {
    say(T.call_offline, "warn");
  }
}

const STATES = () => ({ waiting: T.state_waiting, sending: T.state_sending, sent: T.state_sent, conflict: T.state_conflict, attention: T.state_attention });

function outboxView() {
  const items = state.outbox;
  const waiting = items.filter((i) => i.state === "waiting" || i.state === "sending");
  const oldest = waiting.length ? waiting[0].created_at : null;
  return el("section", {},
    el("h2", { text: T.outbox_title }),
    el("p", { class: "muted", id: "field-outbox-summary", text: oldest ? fmt(T.oldest, { n: waiting.length, time: new Date(oldest).toLocaleString() }) : T.nothing_waiting }),
    state.conflicts.length ? el("p", { class: "field-message field-warn" }, el("a", { href: config.conflicts_url, text: fmt(T.conflicts_open, { n: state.conflicts.length }) })) : null,
    items.length ? el("ul", { class: "field-list" }, items.slice().reverse().map((item) => el("li", { class: `field-card field-state-${item.state}`, "data-key": item.key, "data-state": item.state },
      el("div", { class: "field-card-head" }, el("strong", { text: item.label }), el("span", { class: "field-state", text: STATES()[item.state] })),
      el("div", { class: "muted", text: new Date(item.created_at).toLocaleString() }),
      item.message ? el("div", { class: "field-item-message", text: item.message }) : null,
      item.state === "conflict" && item.conflict ? el("a", { href: `${config.conflicts_url}${item.conflict}/`, text: T.resolve }) : null,
      item.state === "attention" ? el("div", { class: "field-actions" },
        el("button", { type: "button", text: T.retry, onclick: async () => { await store.setState(item.key, "waiting"); await refresh(); sync(); } }),
        el("button", { type: "button", text: T.discard, onclick: async () => { if (confirm(T.discard_confirm)) { await store.drop(item.key); await refresh(); } } })) : null)))
      : null);
}

function field(label, input, hint) {
  return el("label", { class: "field-row" }, el("span", { text: label }), input, hint ? el("small", { class: "muted", text: hint }) : null);
}

function localNow() {
  const now = new Date();
  now.setMinutes(now.getMinutes() - now.getTimezoneOffset());
  return now.toISOString().slice(0, 16);
}

async function compress(file) {
  // Photos are made small on the phone before they wait: at most 1280 px on the long side, JPEG at 0.7.
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, 1280 / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  return { name: file.name.replace(/\.\w+$/, "") + ".jpg", data: canvas.toDataURL("image/jpeg", 0.7) };
}

function dialog(title, body, onSave) {
  const form = el("form", { class: "field-form", id: "field-form" }, el("h2", { text: title }), body,
    el("p", { class: "field-error", id: "field-form-error", role: "alert" }),
    el("div", { class: "field-actions" },
      el("button", { type: "submit", class: "primary", text: T.save }),
      el("button", { type: "button", text: T.cancel, onclick: () => render() })));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    let error;
    try {
      error = await onSave(form);
    } catch (failure) {
      error = `${T.save_failed} (${failure.message || failure})`;
    }
    if (error) { $("field-form-error").textContent = error; return; }
    await refresh();
    say(navigator.onLine ? T.saved_sending : T.saved_offline, "ok");
    if (navigator.onLine) sync();
  });
  $("field-view").replaceChildren(form);
  form.querySelector("input, select, textarea")?.focus();
}

function visitForm(r) {
  const method = el("select", { name: "method", id: "visit-method" }, config.choices.methods.map(([v, l]) => el("option", { value: v, text: l })));
  const at = el("input", { type: "datetime-local", name: "visited_at", id: "visit-at", value: localNow(), required: true });
  const findings = el("fieldset", { class: "field-findings" }, el("legend", { text: T.findings }),
    config.choices.findings.map(([k, label]) => field(label, el("select", { name: `finding_${k}` }, [["na", null], ...config.choices.finding_values.filter(([v]) => v !== "na")].map(([v]) => el("option", { value: v, text: Object.fromEntries(config.choices.finding_values)[v] }))))));
  const notes = el("textarea", { name: "notes", id: "visit-notes", rows: 3, maxlength: 4000 });
  const needs = el("textarea", { name: "needs_found", rows: 2, maxlength: 2000 });
  const follow = el("textarea", { name: "follow_up", rows: 2, maxlength: 2000 });
  const photos = el("input", { type: "file", name: "photos", accept: "image/*", multiple: true, capture: "environment" });
  dialog(fmt(T.visit_title, { name: r.name }), el("div", {},
    field(T.visited_at, at), field(T.method, method), findings,
    field(T.notes, notes), field(T.needs_found, needs), field(T.follow_up, follow), field(T.photos, photos, T.photos_hint)),
  async (form) => {
    if (!at.value) return T.need_time;
    if (new Date(at.value) > new Date(Date.now() + 600000)) return T.time_future;
    const chosen = {};
    for (const [k] of config.choices.findings) chosen[k] = form.elements[`finding_${k}`].value;
    const pictures = [];
    try {
      for (const file of photos.files) pictures.push(await compress(file));
    } catch (error) {
      return T.bad_photo;
    }
    await store.enqueue("visit", fmt(T.visit_label, { name: r.name }), {
      recipient: r.id, visited_at: new Date(at.value).toISOString(), method: method.value, findings: chosen,
      notes: notes.value, needs_found: needs.value, follow_up: follow.value, photos: pictures,
    });
    state.view = "outbox";
    return null;
  });
}

function contactForm(r) {
  const phone = el("input", { type: "tel", name: "phone", id: "contact-phone", inputmode: "tel", maxlength: 20, placeholder: r.phone || "" });
  const address = el("input", { type: "text", name: "address", id: "contact-address", maxlength: 200, value: r.address || "" });
  dialog(fmt(T.contact_title, { name: r.name }), el("div", {},
    field(T.new_phone, phone, r.phone ? fmt(T.phone_now, { phone: r.phone }) : null), field(T.address, address)),
  async () => {
    const values = {};
    if (phone.value.trim()) {
      if (!/^1\d{10}$|^0\d{2,3}-?\d{7,8}$/.test(phone.value.trim())) return T.bad_phone;
      values.phone = phone.value.trim();
    }
    if (address.value.trim() !== (r.address || "")) values.address = address.value.trim();
    if (!Object.keys(values).length) return T.nothing_changed;
    await store.enqueue("recipient.edit", fmt(T.contact_label, { name: r.name }), { id: r.id, base: r.versions, values });
    state.view = "outbox";
    return null;
  });
}

for (const button of document.querySelectorAll("[data-view]")) {
  button.addEventListener("click", () => { state.view = button.dataset.view; if (store.unlocked()) render(); });
}
$("field-sync").addEventListener("click", () => sync());
$("field-logout").addEventListener("submit", async (event) => {
  // Leaving clears the phone's copy (the server's Clear-Site-Data does it too; this covers an offline logout).
  event.preventDefault();
  const waiting = store.unlocked() ? state.outbox.filter((i) => ["waiting", "sending", "attention"].includes(i.state)).length : 0;
  if (waiting && !confirm(fmt(T.logout_unsent, { n: waiting }))) return;
  await store.wipe();
  event.target.submit();
});
if ("serviceWorker" in navigator) navigator.serviceWorker.register(config.sw_url, { scope: config.scope });
start();
