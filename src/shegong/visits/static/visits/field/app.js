// The worker's field app: today's list (due visits, case steps, group sessions, assigned requests), the assigned
// recipients, and the forms for visits, contact edits, case notes, plan edits, attendance, activities and requests
// found in the field, all usable without signal; records wait in the encrypted outbox and are sent in order when
// the network returns.
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

// The download's other sections (each app's share of the sync), kept sealed on the phone as {rows, extra}.
const SECTIONS = ["cases", "groups", "sites", "requests"];
let state = { recipients: [], outbox: [], conflicts: [], sections: {}, view: "today", syncing: false, recipientQuery: "" };

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
  await store.setSealed("projects", section.projects || []);
  for (const name of SECTIONS) {
    const part = answer.body.sections[name];
    if (part) await keepSection(name, part);
  }
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

// Upsert a section's changed rows into what the phone holds, drop what it should no longer keep.
async function keepSection(name, part) {
  const { rows: changed, keep, ...extra } = part;
  const held = (await store.getSealed(`section:${name}`)) || { rows: [] };
  const rows = new Map(held.rows.map((row) => [row.id, row]));
  for (const row of changed) rows.set(row.id, row);
  const kept = keep ? new Set(keep) : null;
  await store.setSealed(`section:${name}`, { rows: [...rows.values()].filter((row) => !kept || kept.has(row.id)), extra });
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
  state.projects = (await store.getSealed("projects")) || [];
  for (const name of SECTIONS) state.sections[name] = (await store.getSealed(`section:${name}`)) || { rows: [], extra: {} };
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
  else if (state.view === "recipients") main.append(recipientsView());
  else if (state.view === "outbox") main.append(outboxView());
}

const rowsOf = (name) => (state.sections[name] || { rows: [] }).rows;
const extraOf = (name) => (state.sections[name] || { extra: {} }).extra || {};
const localToday = () => localNow().slice(0, 10);

// What this phone recorded and has not sent yet: a visit waiting to go answers its recipient's visit due, and
// attendance waiting to go answers its group's session due, so neither still reads as work to do.
const UNSENT = ["waiting", "sending"];
const unsent = (kind) => state.outbox.filter((i) => i.kind === kind && UNSENT.includes(i.state)).map((i) => i.payload || {});
const visitedHere = (r) => unsent("visit").some((p) => p.recipient === r.id);

function todayView() {
  const today = localToday();
  const dueAll = state.recipients.filter((r) => r.next_due_on && r.next_due_on <= today);
  const due = dueAll.filter((r) => !visitedHere(r));
  const doneHere = dueAll.length - due.length;
  const steps = rowsOf("cases").filter((c) => c.steps.some((s) => s.due_on <= today));
  const groups = rowsOf("groups");
  const meeting = groups.filter((g) => groupDue(g, today));
  const others = groups.filter((g) => !groupDue(g, today));
  return el("section", {},
    el("div", { class: "field-actions" },
      el("button", { type: "button", id: "field-new-activity", text: T.record_activity, onclick: () => activityForm() }),
      el("button", { type: "button", id: "field-new-request", text: T.report_request, onclick: () => requestForm(null) })),
    el("h2", { text: T.today_title }), recipientList(due, doneHere ? "" : T.nothing_due),
    doneHere ? el("p", { class: "muted", id: "field-visited-here", text: fmt(T.visited_here, { n: doneHere }) }) : null,
    el("h2", { text: T.cases_title }), caseList(steps, T.no_steps_due),
    meeting.length ? el("h2", { text: T.groups_today_title }) : null, meeting.length ? groupList(meeting) : null,
    meeting.length && !others.length ? null : el("h2", { text: T.groups_title }),
    meeting.length && !others.length ? null : groupList(others),
    el("h2", { text: T.requests_title }), requestList(rowsOf("requests")));
}

// A worker with hundreds of people finds one by typing: every word must appear in the name, address, village,
// categories or an open case's number. Only the first RECIPIENTS_SHOWN matches are drawn, so a phone does not
// build hundreds of cards at once; the count says how many more the search would show.
const RECIPIENTS_SHOWN = 50;

function recipientText(r) {
  const numbers = rowsOf("cases").filter((c) => c.recipient === r.id).map((c) => c.number);
  return [r.name, r.address, r.village, ...(r.categories || []), ...numbers].join(" ").toLowerCase();
}

function recipientMatches(query) {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return state.recipients;
  return state.recipients.filter((r) => { const text = recipientText(r); return words.every((w) => text.includes(w)); });
}

function recipientResults() {
  const found = recipientMatches(state.recipientQuery || "");
  const shown = found.slice(0, RECIPIENTS_SHOWN);
  const empty = state.recipientQuery ? T.no_match : T.no_recipients;
  return el("div", { id: "field-recipient-results" },
    state.recipients.length ? el("p", { class: "muted", id: "field-recipient-count", text: found.length > shown.length ? fmt(T.recipients_more, { shown: shown.length, n: found.length }) : fmt(T.recipients_found, { n: found.length }) }) : null,
    recipientList(shown, empty));
}

function recipientsView() {
  // A case whose person has no card here (a resident not yet registered, or a recipient of a colleague's) is
  // listed on its own, so its note and plan can be written too.
  const carded = new Set(state.recipients.map((r) => r.id));
  const loose = rowsOf("cases").filter((c) => !carded.has(c.recipient));
  const search = el("input", { type: "search", id: "field-recipient-search", value: state.recipientQuery || "", placeholder: T.search_recipients, "aria-label": T.search_recipients, autocomplete: "off" });
  search.addEventListener("input", () => {
    state.recipientQuery = search.value;
    $("field-recipient-results").replaceWith(recipientResults());
  });
  return el("section", {}, state.recipients.length ? search : null, recipientResults(),
    loose.length ? el("h2", { text: T.other_cases }) : null, loose.length ? caseList(loose, "") : null);
}

function caseList(rows, empty) {
  if (!rows.length) return el("p", { class: "muted", text: empty });
  const today = localToday();
  return el("ul", { class: "field-list" }, rows.map((c) => el("li", { class: "field-card", "data-case": c.id },
    el("div", { class: "field-card-head" }, el("strong", { text: `${c.number} ${c.person}` }), el("span", { class: "field-stage", text: c.stage_label })),
    c.steps.map((s) => el("div", { class: s.due_on <= today ? "field-item-message" : "muted", text: fmt(T.step_due, { step: s.label, date: s.due_on }) })),
    caseActions(c))));
}

function caseActions(c) {
  return el("div", { class: "field-actions" },
    c.can_note ? el("button", { type: "button", class: "primary", text: T.record_note, onclick: () => noteForm(c) }) : null,
    c.plan ? el("button", { type: "button", text: T.edit_plan, onclick: () => planForm(c) }) : null);
}

// A scheduled group's session as of the phone's today (the server sends the next one due for its own today):
// "today" when it meets today, "late" when a meeting day passed with no session recorded, else null.
function groupDue(g, today) {
  const next = g.next_due;
  if (!next) return null;
  if (unsent("group.attendance").some((p) => p.group === g.id && p.held_on >= next.on)) return null;
  if (next.missed || next.on < today) return next.on === today ? "today late" : "late";
  return next.on === today ? "today" : null;
}

function groupDueText(g, due) {
  const next = g.next_due;
  if (due.startsWith("today")) return fmt(T.group_today, { at: g.at, n: next.number });
  return fmt(T.group_missed, { n: next.number, d: next.missed || next.on });
}

function groupList(rows) {
  if (!rows.length) return el("p", { class: "muted", text: T.no_groups });
  const today = localToday();
  return el("ul", { class: "field-list" }, rows.map((g) => { const due = groupDue(g, today); return el("li", { class: "field-card", "data-group": g.id, "data-due": due },
    el("div", { class: "field-card-head" }, el("strong", { text: g.name }), el("span", { class: "field-stage", text: g.stage_label })),
    el("div", { class: "muted", text: fmt(T.sessions_held, { held: g.held, planned: g.planned, place: g.meets_place || g.place }) }),
    g.meets ? el("div", { class: "muted", text: fmt(T.group_schedule, { rhythm: g.meets_label, weekday: g.weekday_label, at: g.at }) }) : null,
    due ? el("div", { class: "field-item-message", text: groupDueText(g, due) }) : null,
    el("div", { class: "field-actions" }, el("button", { type: "button", class: "primary", text: T.record_attendance, onclick: () => attendanceForm(g) }))); }));
}

function requestList(rows) {
  if (!rows.length) return el("p", { class: "muted", text: T.no_requests });
  return el("ul", { class: "field-list" }, rows.map((q) => el("li", { class: "field-card", "data-request": q.id },
    el("div", { class: "field-card-head" }, el("strong", { text: q.item || q.code }), el("span", { class: "field-stage", text: q.status_label })),
    el("div", { text: q.description }),
    el("div", { class: "muted", text: [q.requester, q.phone, q.place].filter(Boolean).join(" · ") }),
    q.due_at ? el("div", { class: "muted", text: fmt(T.request_due, { time: new Date(q.due_at).toLocaleString() }) }) : null)));
}

function recipientList(rows, empty) {
  if (!rows.length) return el("p", { class: "muted", text: empty });
  return el("ul", { class: "field-list" }, rows.map((r) => el("li", { class: "field-card", "data-recipient": r.id },
    el("div", { class: "field-card-head" },
      el("strong", { text: r.name }),
      el("span", { class: `field-risk field-risk-${r.risk}`, text: r.risk_label })),
    el("div", { class: "muted", text: r.address || "" }),
    r.categories.length ? el("div", { class: "field-tags", text: r.categories.join(" · ") }) : null,
    // A date already passed reads in the warning colour, as a case step due does: it is the card to open first.
    visitedHere(r) ? el("div", { class: "field-item-done", text: T.visit_waiting })
      : el("div", { class: r.next_due_on && r.next_due_on < localToday() ? "field-item-message" : "muted", text: r.next_due_on ? fmt(T.due_on, { date: r.next_due_on }) : "" }),
    r.last_visits.length ? el("div", { class: "muted", text: fmt(T.last_visit, { date: r.last_visits[0].at.slice(0, 10), method: r.last_visits[0].method }) }) : null,
    rowsOf("cases").filter((c) => c.recipient === r.id).map((c) => el("div", { class: "field-case", "data-case": c.id },
      el("span", { text: fmt(T.open_case, { number: c.number, stage: c.stage_label }) }), caseActions(c))),
    el("div", { class: "field-actions" },
      el("button", { type: "button", class: "primary", text: T.record_visit, onclick: () => visitForm(r) }),
      el("button", { type: "button", text: T.edit_contact, onclick: () => contactForm(r) }),
      el("button", { type: "button", text: T.report_request, onclick: () => requestForm(r) }),
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
  // A worker on several purchased projects says which one the visit was for (one: chosen by the server).
  const several = (state.projects || []).length > 1;
  const project = several ? choices("project_id", [["", T.choose_project], ...state.projects], { id: "visit-project" }) : null;
  dialog(fmt(T.visit_title, { name: r.name }), el("div", {},
    field(T.visited_at, at), field(T.method, method), project ? field(T.project, project) : null, findings,
    field(T.notes, notes), field(T.needs_found, needs), field(T.follow_up, follow), field(T.photos, photos, T.photos_hint)),
  async (form) => {
    if (!at.value) return T.need_time;
    if (new Date(at.value) > new Date(Date.now() + 600000)) return T.time_future;
    if (project && !project.value) return T.choose_project;
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
      ...(project ? { project_id: Number(project.value) } : {}),
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

function choices(name, pairs, attrs = {}) {
  return el("select", { name, ...attrs }, pairs.map(([v, l]) => el("option", { value: v, text: l })));
}

function text(name, attrs = {}) {
  return el("input", { type: "text", name, ...attrs });
}

function noteForm(c) {
  const day = el("input", { type: "date", name: "noted_on", id: "note-on", value: localToday(), max: localToday(), required: true });
  const method = choices("method", extraOf("cases").methods || [], { id: "note-method" });
  const content = el("textarea", { name: "content", id: "note-content", rows: 4, maxlength: 4000, required: true });
  const next = el("textarea", { name: "next_step", id: "note-next", rows: 2, maxlength: 2000 });
  dialog(fmt(T.note_title, { number: c.number, name: c.person }), el("div", {},
    field(T.noted_on, day), field(T.note_method, method), field(T.note_content, content), field(T.next_step, next)),
  async () => {
    if (!day.value) return T.need_date;
    if (!content.value.trim()) return T.need_content;
    await store.enqueue("case.note", fmt(T.note_label, { number: c.number, name: c.person }), {
      case: c.id, noted_on: day.value, method: method.value, content: content.value.trim(), next_step: next.value.trim(),
    });
    state.view = "outbox";
    return null;
  });
}

function planForm(c) {
  const plan = el("textarea", { name: "text", id: "plan-text", rows: 6, maxlength: 4000 });
  plan.value = c.plan.text;
  dialog(fmt(T.plan_title, { number: c.number, name: c.person }), el("div", {}, field(T.plan_text, plan, T.plan_hint)),
  async () => {
    if (!plan.value.trim()) return T.need_content;
    if (plan.value.trim() === c.plan.text.trim()) return T.nothing_changed;
    await store.enqueue("case.plan", fmt(T.plan_label, { number: c.number, name: c.person }), {
      id: c.id, base: c.plan.versions, values: { text: plan.value.trim() },
    });
    state.view = "outbox";
    return null;
  });
}

function attendanceForm(g) {
  const day = el("input", { type: "date", name: "held_on", id: "attendance-on", value: localToday(), max: localToday(), required: true });
  const place = text("place", { id: "attendance-place", maxlength: 120, value: g.meets_place || g.place });
  const content = el("textarea", { name: "content", id: "attendance-content", rows: 3, maxlength: 1000 });
  const seen = el("textarea", { name: "observations", rows: 2, maxlength: 2000 });
  const register = el("fieldset", { class: "field-register" }, el("legend", { text: T.present }),
    g.members.map((m) => el("label", { class: "field-check" }, el("input", { type: "checkbox", name: "present", value: m.id, "data-member": m.id }), el("span", { text: m.name }))));
  dialog(fmt(T.attendance_title, { name: g.name }), el("div", {},
    field(T.held_on, day), field(T.place, place), field(T.session_content, content), register, field(T.observations, seen)),
  async (form) => {
    if (!day.value) return T.need_date;
    if (!place.value.trim()) return T.need_place;
    if (!content.value.trim()) return T.need_content;
    const present = [...form.querySelectorAll("input[name=present]:checked")].map((box) => Number(box.value));
    await store.enqueue("group.attendance", fmt(T.attendance_label, { name: g.name, n: present.length }), {
      group: g.id, held_on: day.value, place: place.value.trim(), content: content.value.trim(), observations: seen.value.trim(), present,
    });
    state.view = "outbox";
    return null;
  });
}

function activityForm() {
  const sites = rowsOf("sites");
  if (!sites.length) { say(T.no_sites, "warn"); return; }
  const node = choices("node", sites.map((s) => [s.id, s.name]), { id: "activity-node" });
  const title = text("title", { id: "activity-title", maxlength: 120, required: true });
  const kind = choices("kind", extraOf("sites").kinds || [], { id: "activity-kind" });
  const day = el("input", { type: "date", name: "held_on", id: "activity-on", value: localToday(), max: localToday(), required: true });
  const place = text("place", { id: "activity-place", maxlength: 120 });
  const count = el("input", { type: "number", name: "participants", id: "activity-participants", min: 0, max: 100000, inputmode: "numeric", required: true });
  const outcome = el("textarea", { name: "outcome", id: "activity-outcome", rows: 3, maxlength: 2000 });
  dialog(T.activity_title, el("div", {},
    field(T.activity_site, node), field(T.activity_name, title), field(T.activity_kind, kind), field(T.held_on, day),
    field(T.place, place, T.place_hint), field(T.participants, count), field(T.outcome, outcome)),
  async () => {
    if (!title.value.trim()) return T.need_title;
    if (!day.value) return T.need_date;
    if (count.value === "" || !Number.isInteger(Number(count.value))) return T.need_count;
    await store.enqueue("activity", fmt(T.activity_label, { title: title.value.trim() }), {
      node: Number(node.value), title: title.value.trim(), kind: kind.value, held_on: day.value,
      place: place.value.trim(), participants: Number(count.value), outcome: outcome.value.trim(),
    });
    state.view = "outbox";
    return null;
  });
}

function requestForm(r) {
  const who = choices("recipient", [["", T.choose_recipient], ...state.recipients.map((x) => [x.id, x.name])], { id: "request-recipient" });
  if (r) who.value = String(r.id);
  const description = el("textarea", { name: "description", id: "request-description", rows: 4, maxlength: 1000, required: true });
  const consent = el("input", { type: "checkbox", name: "consent_contact", id: "request-consent", checked: true });
  dialog(T.request_title, el("div", {},
    field(T.request_for, who), field(T.request_what, description, T.request_hint),
    el("label", { class: "field-check" }, consent, el("span", { text: T.request_consent }))),
  async () => {
    if (!who.value) return T.choose_recipient;
    if (description.value.trim().length < 4) return T.need_description;
    const name = state.recipients.find((x) => x.id === Number(who.value))?.name || "";
    await store.enqueue("request", fmt(T.request_label, { name }), {
      recipient: Number(who.value), description: description.value.trim(), consent_contact: consent.checked,
    });
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
