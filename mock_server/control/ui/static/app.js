// The sandbox UI: reads and steers the simulator through its control plane (/_mock/...) only, the same
// requests a test makes; the live feed is /_mock/ui/stream (server-sent events, read with fetch so the
// control token, when the server has one, travels in its header like on every other request).
"use strict";

const TOKEN_KEY = "myoperator-mock.control-token";
const MAX_ROWS = 500;

// --- small helpers --------------------------------------------------------------------------------
const $ = (selector, root = document) => root.querySelector(selector);
const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

/** An element with attributes (on* are listeners) and children (text is text, never markup). */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

const fill = (el, ...children) => { el.replaceChildren(...children.flat(Infinity).filter((c) => c != null && c !== false)); };
const pretty = (value) => JSON.stringify(value, null, 2);
const time = (iso) => (iso ? iso.replace("T", " ").replace(/\.\d+Z$/, "Z") : "");
const clockTime = (iso) => (iso ? iso.slice(11, 19) : "");
const pill = (text) => h("span", { class: `pill ${text}` }, text ?? "—");
const statusClass = (code) => `s${String(code || 0)[0]}`;

function prettyText(text) {
  if (!text) return "";
  try { return pretty(JSON.parse(text)); } catch { return text; }
}

function copyButton(text) {
  return h("button", {
    class: "small", title: "copy", "data-copy": text,
    onclick: async (event) => {
      const button = event.currentTarget;
      try { await navigator.clipboard.writeText(text); } catch { fallbackCopy(text); }
      button.textContent = "copied";
      setTimeout(() => { button.textContent = "copy"; }, 1200);
    },
  }, "copy");
}

function fallbackCopy(text) {
  const area = h("textarea", {}, text);
  document.body.append(area);
  area.select();
  document.execCommand("copy");
  area.remove();
}

// --- the control plane ------------------------------------------------------------------------------
class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
  get detail() {
    const errors = this.body?.errors || {};
    const fields = Object.entries(errors).map(([k, v]) => `${k}: ${[].concat(v).join(" ")}`);
    return [this.message, ...fields].join(" — ");
  }
}

function authHeaders() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token ? { "X-Mock-Control-Token": token } : {};
}

async function api(method, path, body) {
  const init = { method, headers: authHeaders() };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const error = new ApiError(response.status, data);
    if (response.status === 403 && /token/i.test(error.message)) askForToken();
    throw error;
  }
  return data;
}

function notify(text, kind = "info") {
  const box = $("#notice");
  box.textContent = text;
  box.className = `notice ${kind}`;
  box.hidden = false;
  clearTimeout(notify.timer);
  notify.timer = setTimeout(() => { box.hidden = true; }, kind === "error" ? 8000 : 3000);
}

/** Run an action; its failure is shown, not thrown. */
async function act(label, fn) {
  try {
    const result = await fn();
    if (label) notify(label);
    return result;
  } catch (error) {
    notify(error instanceof ApiError ? error.detail : String(error), "error");
    return undefined;
  }
}

function askForToken() {
  const dialog = $("#token-dialog");
  if (!dialog.open) dialog.showModal();
}

// --- state ----------------------------------------------------------------------------------------
const ui = {
  tenants: [],
  company: null,         // the selected tenant's company_id
  state: {},             // its /state dump
  clock: null,
  requests: [],          // journal entries, newest first
  events: [],            // webhook events, newest first
  deliveries: new Map(), // id -> delivery
  subscriptions: [],
  scenarios: [],
  runs: [],
  conversation: null,
  delivery: null,
  tab: "overview",
};

const tenant = () => ui.tenants.find((t) => t.company_id === ui.company);
const docs = (kind) => ui.state[kind] || [];

async function loadTenants() {
  ui.tenants = (await api("GET", "/_mock/tenants")).tenants;
  if (!ui.tenants.some((t) => t.company_id === ui.company)) ui.company = ui.tenants[0]?.company_id ?? null;
  fill($("#tenant"), ui.tenants.map((t) => h("option", { value: t.company_id, selected: t.company_id === ui.company },
    `${t.name} (${t.company_id})`)));
}

async function loadState() {
  if (!ui.company) return;
  const [dump, runs] = await Promise.all([
    api("GET", `/_mock/tenants/${ui.company}/state`),
    api("GET", `/_mock/tenants/${ui.company}/scenario-runs?limit=1000`),
  ]);
  ui.state = dump.state;
  ui.runs = runs.runs;
  render();
}

async function loadSubscriptions() {
  ui.subscriptions = (await api("GET", "/_mock/webhooks")).subscriptions;
  renderSubscriptions();
}

async function loadScenarios() {
  ui.scenarios = (await api("GET", `/_mock/scenarios?company_id=${encodeURIComponent(ui.company)}`)).scenarios;
  renderScenarioPicker();
  renderSimulate();
}

let refreshTimer = null;
/** Reload the selected tenant soon: many changes arrive together (a scenario step, its webhooks). */
function refreshSoon() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => act(null, async () => { await loadTenants(); await loadState(); }), 250);
}

async function reloadAll() {
  await loadTenants();
  await Promise.all([loadState(), loadSubscriptions(), loadScenarios(), loadClock()]);
}

// --- the live feed ----------------------------------------------------------------------------------
const feed = { lastId: null, leaving: new AbortController() };
// Leaving the page closes its stream at once, rather than whenever the browser drops the connection.
addEventListener("pagehide", () => feed.leaving.abort());

function setLive(on, text) {
  const live = $("#live");
  live.className = `live ${on ? "on" : "off"}`;
  $("#live-text").textContent = text;
}

/** Reads /_mock/ui/stream for ever: each stream lasts a while, then the next one resumes the journal. */
async function followFeed() {
  for (;;) {
    try {
      const headers = authHeaders();
      if (feed.lastId !== null) headers["Last-Event-ID"] = feed.lastId;
      const response = await fetch("/_mock/ui/stream", { headers, signal: feed.leaving.signal });
      if (!response.ok) {
        if (response.status === 403) askForToken();
        throw new Error(`HTTP ${response.status}`);
      }
      setLive(true, "live");
      await readEvents(response.body, onFeedEvent);
    } catch (error) {
      if (feed.leaving.signal.aborted) return;
      setLive(false, "reconnecting");
      await new Promise((resolve) => setTimeout(resolve, 1500));
    }
  }
}

async function readEvents(body, handle) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const message = { event: "message", data: "" };
      for (const line of frame.split("\n")) {
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "event") message.event = text;
        else if (field === "data") message.data += text;
        else if (field === "id") message.id = text;
      }
      if (message.id !== undefined) feed.lastId = message.id;
      if (message.data) handle(message.event, JSON.parse(message.data));
    }
  }
}

function onFeedEvent(name, data) {
  if (name === "request") {
    ui.requests.unshift(data);
    ui.requests.length = Math.min(ui.requests.length, MAX_ROWS);
    renderRequests(data.seq);
    if (!data.company_id || data.company_id === ui.company) refreshSoon();
  } else if (name === "event") {
    if (ui.events.some((e) => e.event_id === data.event_id)) return;
    ui.events.unshift(data);
    ui.events.length = Math.min(ui.events.length, MAX_ROWS);
    renderEvents(data.event_id);
    if (data.company_id === ui.company) refreshSoon();
  } else if (name === "delivery") {
    ui.deliveries.set(data.id, data);
    renderDeliveries(data.id);
    if (ui.delivery === data.id) renderDeliveryDetail();
  } else if (name === "clock") {
    const moved = ui.clock && ui.clock.now !== data.now && ui.clock.mode === "manual";
    ui.clock = { ...ui.clock, ...data };
    renderClock();
    if (moved) refreshSoon();
  } else if (name === "reset") {
    for (const [id, d] of ui.deliveries) if (d.company_id === data.company_id) ui.deliveries.delete(id);
    ui.events = ui.events.filter((e) => e.company_id !== data.company_id);
    renderEvents();
    renderDeliveries();
    if (data.company_id === ui.company) refreshSoon();
  }
}

// --- header: tenant and clock ---------------------------------------------------------------------
async function loadClock() {
  ui.clock = await api("GET", "/_mock/clock");
  renderClock();
}

function renderClock() {
  const clock = ui.clock;
  if (!clock) return;
  $("#clock-mode").textContent = clock.mode === "manual" ? "manual clock" : clock.paused ? "real clock, paused" : `real clock x${clock.speed}`;
  $("#clock-now").textContent = time(clock.now);
  const pending = Array.isArray(clock.pending) ? clock.pending.length : clock.pending;
  $("#clock-pending").textContent = pending ? `${pending} timed change${pending === 1 ? "" : "s"} pending` : "";
  $("#clock-manual").hidden = clock.mode !== "manual";
  $("#clock-real").hidden = clock.mode === "manual";
  if (clock.mode !== "manual") {
    $("#clock-pause").textContent = clock.paused ? "Resume" : "Pause";
    const speed = $("#clock-speed");
    if (![...speed.options].some((o) => Number(o.value) === clock.speed)) speed.append(h("option", { value: clock.speed }, `x${clock.speed}`));
    speed.value = String(clock.speed);
  }
}

async function advance(seconds) {
  const result = await act(null, () => api("POST", "/_mock/clock/advance", { seconds }));
  if (result) {
    ui.clock = result;
    renderClock();
    notify(`Clock advanced ${seconds} s: ${result.fired} timed change${result.fired === 1 ? "" : "s"} fired.`);
    refreshSoon();
  }
}

async function steerClock(body) {
  const result = await act(null, () => api("PATCH", "/_mock/clock", body));
  if (result) { ui.clock = result; renderClock(); }
}

// --- rendering ------------------------------------------------------------------------------------
function render() {
  renderOverview();
  renderTemplates();
  renderConversations();
  renderContacts();
  renderUsers();
  renderCalls();
  renderCallLog();
  renderCampaigns();
  renderRuns();
  renderSettings();
  renderSimulate();
}

function kvRow(key, value, copy = true) {
  return [h("span", { class: "k" }, key), h("span", { class: "v" }, value ?? "—"), copy && value ? copyButton(String(value)) : h("span")];
}

function renderOverview() {
  const base = location.origin;
  fill($("#bases"), h("div", { class: "card" }, h("h3", {}, "Base URLs"), h("div", { class: "kv" },
    kvRow("public API (WhatsApp, contacts)", base),
    kvRow("OBD API", `${base}/obd-api-v1`),
    kvRow("developers API", `${base}/search`),
    kvRow("control plane", `${base}/_mock`),
    kvRow("OpenAPI document", `${base}/openapi.json`),
  )));
  fill($("#tenants"), ui.tenants.map((t) => {
    const selected = t.company_id === ui.company;
    const primary = t.phone_numbers.find((p) => p.role === "primary") || t.phone_numbers[0];
    const counts = selected ? countsOf(ui.state) : [];
    return h("div", { class: "card", dataset: { company: t.company_id } },
      h("h3", {}, h("span", {}, t.name), selected ? h("span", { class: "pill approved" }, "selected")
        : h("button", { class: "small", onclick: () => selectTenant(t.company_id) }, "select")),
      h("div", { class: "kv" },
        kvRow("X-MYOP-COMPANY-ID", t.company_id),
        kvRow("Authorization", `Bearer ${t.api_key}`),
        kvRow("phone_number_id", primary?.phone_number_id),
        kvRow("OBD x-api-key", t.obd_api_key),
        kvRow("developers token", t.developer_token),
        ...t.ivrs.slice(0, 2).flatMap((ivr) => [
          ...kvRow(`IVR ${ivr.label || ""} public_ivr_id`, ivr.public_ivr_id),
          ...kvRow("  secret_token", ivr.secret_token)]),
        kvRow("wallet", `${t.wallet_balance}`, false),
        kvRow("service", t.service_active ? "active" : "inactive", false)),
      counts.length ? h("div", { class: "counts" }, counts.map(([k, n]) => h("span", {}, `${k}: ${n}`))) : null);
  }));
}

function countsOf(state) {
  const kinds = [["templates", "templates"], ["contacts", "contacts"], ["users", "users"], ["conversations", "conversations"],
    ["messages", "messages"], ["calls", "calls"], ["campaigns", "campaigns"], ["scenario_runs", "scenario runs"],
    ["webhook_events", "webhook events"], ["webhook_deliveries", "deliveries"], ["media", "media"], ["dids", "DIDs"]];
  return kinds.map(([kind, label]) => [label, (state[kind] || []).length]);
}

function renderRequests(newSeq) {
  const filter = $("#requests-filter").value.trim().toLowerCase();
  const tenantOnly = $("#requests-tenant-only").checked;
  const rows = ui.requests.filter((r) => (!tenantOnly || r.company_id === ui.company)
    && (!filter || `${r.method} ${r.path} ${r.status}`.toLowerCase().includes(filter)));
  $("#requests-count").textContent = `(${rows.length})`;
  fill($("#requests"), rows.map((r) => h("tr", {
    class: r.seq === newSeq ? "new" : "", dataset: { seq: r.seq, path: r.path }, onclick: () => showRequest(r),
  }, h("td", { class: "mono" }, clockTime(r.time)), h("td", {}, r.method),
  h("td", { class: "path" }, r.path + (Object.keys(r.query || {}).length ? `?${new URLSearchParams(r.query)}` : "")),
  h("td", { class: statusClass(r.status) }, r.status), h("td", {}, r.latency_ms != null ? `${r.latency_ms} ms` : ""),
  h("td", { class: "mono" }, r.company_id || ""))));
}

function showDetail(title, ...content) {
  $("#detail-title").textContent = title;
  fill($("#detail-body"), content);
  const dialog = $("#detail");
  if (!dialog.open) dialog.showModal();
}

function showRequest(r) {
  showDetail(`${r.method} ${r.path} → ${r.status}`,
    h("p", { class: "muted" }, `${time(r.time)} · ${r.latency_ms} ms · company ${r.company_id || "—"}`),
    Object.keys(r.query || {}).length ? [h("h3", {}, "Query"), h("pre", { class: "json" }, pretty(r.query))] : null,
    h("h3", {}, "Request body"), h("pre", { class: "json request-body" }, prettyText(r.body) || "(empty)"),
    h("h3", {}, "Response body"), h("pre", { class: "json response-body" }, prettyText(r.response_body) || "(empty)"));
}

function renderEvents(newId) {
  const rows = ui.events.filter((e) => e.company_id === ui.company);
  $("#events-count").textContent = `(${rows.length})`;
  fill($("#events"), rows.slice(0, MAX_ROWS).map((e) => h("tr", {
    class: e.event_id === newId ? "new" : "", dataset: { event: e.event_type },
    onclick: () => showDetail(`${e.event_type}`, h("p", { class: "muted" }, `${time(e.at)} · ${e.event_id}`), h("pre", { class: "json" }, pretty(e.body))),
  }, h("td", { class: "mono" }, time(e.at)), h("td", {}, e.event_type), h("td", {}, e.channel), h("td", { class: "mono" }, e.session_id))));
}

function renderDeliveries(newId) {
  const rows = [...ui.deliveries.values()].filter((d) => d.company_id === ui.company).reverse();
  $("#deliveries-count").textContent = `(${rows.length})`;
  fill($("#deliveries"), rows.slice(0, MAX_ROWS).map((d) => h("tr", {
    class: [d.id === newId ? "new" : "", d.id === ui.delivery ? "selected" : ""].join(" "), dataset: { delivery: d.id },
    onclick: () => { ui.delivery = d.id; renderDeliveries(); renderDeliveryDetail(); },
  }, h("td", { class: "mono" }, time(d.created_at)), h("td", {}, d.event_type), h("td", { class: "path" }, d.url),
  h("td", {}, pill(d.status)), h("td", {}, d.attempts.length))));
}

function renderDeliveryDetail() {
  const d = ui.deliveries.get(ui.delivery);
  const box = $("#delivery-detail");
  if (!d) { fill(box, h("p", { class: "muted" }, "Pick a delivery.")); return; }
  fill(box,
    h("div", { class: "toolbar" }, h("h3", {}, `${d.event_type} → ${d.url}`),
      h("button", { class: "primary", id: "resend", disabled: d.status === "pending",
        title: d.status === "pending" ? "still being retried" : "send it once more, same event_id and body",
        onclick: () => act("Redelivery queued.", () => api("POST", `/_mock/deliveries/${d.id}/redeliver`)) }, "Resend")),
    h("p", { class: "muted" }, `${pill(d.status).textContent} · format ${d.format} · ${d.content_type} · event ${d.event_id}`,
      d.next_attempt_at ? ` · next attempt ${time(d.next_attempt_at)}` : ""),
    h("table", { class: "grid attempts" }, h("thead", {}, h("tr", {}, ["#", "at", "answer", "latency", "redelivery"].map((c) => h("th", {}, c)))),
      h("tbody", {}, d.attempts.map((a) => h("tr", {}, h("td", {}, a.n), h("td", { class: "mono" }, time(a.at)),
        h("td", { class: a.status_code ? statusClass(a.status_code) : "s5" }, a.status_code ?? a.error),
        h("td", {}, `${a.latency_ms} ms`), h("td", {}, a.redelivery ? "yes" : ""))))),
    d.attempts.length ? [h("h3", {}, "The receiver's last answer"), h("pre", { class: "json" }, prettyText(d.attempts.at(-1).response) || "(empty)")] : null,
    h("h3", {}, "Payload"), h("pre", { class: "json" }, pretty(d.body)));
}

function renderSubscriptions() {
  fill($("#subscriptions"), ui.subscriptions.map((s) => h("tr", {},
    h("td", { class: "path" }, s.url), h("td", {}, s.events.join(", ")), h("td", {}, s.format), h("td", { class: "mono" }, s.company_id || "all"),
    h("td", {}, s.source === "config" ? h("span", { class: "muted" }, "--webhook-url")
      : h("button", { class: "small danger", onclick: () => act("Subscription removed.", async () => {
        await api("DELETE", `/_mock/webhooks/${s.id}`); await loadSubscriptions(); }) }, "remove")))));
}

function renderTemplates() {
  const rows = [...docs("templates")].reverse();
  fill($("#templates"), rows.map((t) => {
    const review = t.waba_template_status;
    const decide = (outcome) => act(`Template ${t.name} ${outcome}.`, async () => {
      await api("POST", `/_mock/tenants/${ui.company}/templates/${t.id}/review`,
        outcome === "rejected" ? { outcome, failure_reason: "Rejected in the sandbox UI." } : { outcome });
      await loadState();
    });
    return h("tr", { dataset: { template: t.name } }, h("td", {}, t.name), h("td", {}, t.language), h("td", {}, t.category),
      h("td", {}, pill(review), t.failure_reason ? h("div", { class: "field-help" }, t.failure_reason) : null),
      h("td", { class: "mono" }, time(t.created)),
      h("td", {}, review === "pending" ? [h("button", { class: "small approve", onclick: () => decide("approved") }, "Approve"), " ",
        h("button", { class: "small danger reject", onclick: () => decide("rejected") }, "Reject")] : null));
  }));
}

// --- conversations --------------------------------------------------------------------------------
// WhatsApp's ticks: one when sent, two when delivered, two blue when read (plain characters, no emoji font needed).
const TICKS = { accepted: "…", pending: "…", sent: "✓", delivered: "✓✓", read: "✓✓", failed: "✗" };

function renderConversations() {
  const conversations = [...docs("conversations")].sort((a, b) => (b.last_message_at || "").localeCompare(a.last_message_at || ""));
  if (!ui.conversation && conversations.length) ui.conversation = conversations[0].id;
  fill($("#conversations"), conversations.map((c) => h("li", {
    class: c.id === ui.conversation ? "selected" : "", dataset: { conversation: c.id },
    onclick: () => { ui.conversation = c.id; renderConversations(); },
  }, h("div", {}, c.customer_name || `+${c.customer_country_code} ${c.customer_contact}`), h("div", { class: "sub" },
    `${c.status} · ${time(c.last_message_at)}`))));
  renderChat(conversations.find((c) => c.id === ui.conversation));
}

function windowState(c) {
  const now = ui.clock ? Date.parse(ui.clock.now) : Date.now();
  const expires = Date.parse(c.expire_at || "");
  if (!expires || expires <= now) return h("span", { class: "window closed" }, "24-hour window closed: only templates may be sent");
  const hours = (expires - now) / 3600e3;
  return h("span", { class: "window open" }, `24-hour window open until ${time(c.expire_at)} (${hours.toFixed(1)} h left)`);
}

function messageText(m) {
  const p = m.payload || {};
  const c = p.context || {};
  if (m.type === "text") return c.body ?? "";
  if (m.type === "template") return `template ${m.template_id || ""}`;
  return `[${m.type}] ${c.caption || c.body || c.link || ""}`;
}

function renderChat(c) {
  const box = $("#chat");
  if (!c) { fill(box, h("p", { class: "muted" }, "No conversation yet. A customer's message (Simulate) starts one.")); return; }
  const messages = docs("messages").filter((m) => m.conversation_id === c.id);
  const reply = h("input", { name: "text", placeholder: "reply from the LiveChat panel" });
  const agent = h("select", { name: "by", title: "the agent who replies" }, docs("users").map((u) =>
    h("option", { value: u.id, selected: u.id === c.assigned_to }, u.name)));
  fill(box,
    h("div", { class: "chat-head" }, h("h3", {}, c.customer_name || `+${c.customer_country_code} ${c.customer_contact}`),
      h("span", {}, pill(c.status), c.assigned_to
        ? ` assigned to ${docs("users").find((u) => u.id === c.assigned_to)?.name || c.assigned_to}` : "")),
    h("div", {}, windowState(c)),
    h("div", { class: "bubbles" }, messages.map((m) => h("div", { class: `bubble ${m.direction}`, dataset: { message: m.id } },
      h("div", { class: "text" }, messageText(m)),
      h("div", { class: "meta" }, clockTime(m.created), m.direction === "outgoing"
        ? h("span", { class: `tick ${m.status}`, title: m.status }, TICKS[m.status] || m.status) : null)))),
    h("form", { class: "reply", onsubmit: (event) => { event.preventDefault(); act("Reply sent.", async () => {
      await api("POST", `/_mock/tenants/${ui.company}/conversations/${c.id}/reply`, { text: reply.value, by: agent.value });
      reply.value = ""; await loadState(); }); } }, agent, reply, h("button", { type: "submit" }, "Reply")));
}

// --- contacts, users, calls, campaigns ------------------------------------------------------------
function renderContacts() {
  const rows = [...docs("contacts")].reverse();
  $("#contacts-count").textContent = `(${rows.length})`;
  fill($("#contacts"), rows.map((c) => h("tr", {}, h("td", {}, c.name), h("td", { class: "mono" }, `+${c.country_code} ${c.phone_number}`),
    h("td", {}, c.email_id || ""), h("td", {}, c.status), h("td", {}, c.source), h("td", { class: "mono" }, time(c.created)))));
}

function renderUsers() {
  fill($("#users"), docs("users").map((u) => h("tr", {}, h("td", {}, u.name), h("td", { class: "mono" }, u.id), h("td", {}, u.role),
    h("td", {}, u.extension), h("td", { class: "mono" }, `+${u.country_code} ${u.contact_number}`),
    h("td", {}, u.receive_calls ? "yes" : "no"), h("td", {}, u.email))));
}

const seconds = (from, to) => (from && to ? (Date.parse(to) - Date.parse(from)) / 1000 : null);

function renderCalls() {
  const calls = [...docs("calls")].filter((c) => c.type === "call" && c.legs.length)
    .sort((a, b) => (a.state === "ended") - (b.state === "ended") || (b.started_at || "").localeCompare(a.started_at || "")).slice(0, 30);
  const now = ui.clock?.now;
  fill($("#calls"), calls.length ? calls.map((c) => {
    const end = c.ended_at || now;
    const span = Math.max(1, seconds(c.started_at, end) || 1);
    const at = (iso) => Math.min(100, Math.max(0, (seconds(c.started_at, iso) / span) * 100));
    const segment = (cls, from, to) => {
      if (!from) return null;
      const el = h("span", { class: cls, title: `${cls} ${time(from)} → ${time(to || end)}` });
      el.style.left = `${at(from)}%`;
      el.style.width = `${Math.max(0.5, at(to || end) - at(from))}%`;
      return el;
    };
    return h("div", { class: "call", dataset: { call: c.uid } },
      h("div", { class: "call-head" }, h("strong", {}, `${c.category} · ${c.customer?.number || ""}`), pill(c.state), c.status ? pill(c.status) : null,
        h("span", { class: "muted mono" }, `${c.uid} · DID ${c.did || "—"} · ${time(c.started_at)}`),
        c.duration != null ? h("span", { class: "muted" }, `${c.duration} s`) : null),
      h("div", { class: "legs" }, c.legs.map((leg) => h("div", { class: "leg" },
        h("span", {}, `${leg.leg_index}. ${leg.type}: ${leg.name || leg.phone || ""}`, h("div", { class: "field-help" }, leg.result || leg.state)),
        h("div", { class: "bar" }, segment("wait", leg.started_at, leg.ringing_at || leg.answered_at || leg.ended_at),
          segment("ring", leg.ringing_at, leg.answered_at || leg.ended_at), segment("talk", leg.answered_at, leg.ended_at))))));
  }) : h("p", { class: "muted" }, "No call with legs yet: run a call scenario, or ring a DID (Simulate)."));
}

function renderCallLog() {
  const calls = [...docs("calls")].filter((c) => c.state === "ended").sort((a, b) => (b.started_at || "").localeCompare(a.started_at || ""));
  $("#calllog-count").textContent = `(${calls.length})`;
  fill($("#calllog"), calls.slice(0, MAX_ROWS).map((c) => h("tr", {}, h("td", { class: "mono" }, time(c.started_at)),
    h("td", {}, `${c.direction} (${c.type})`), h("td", { class: "mono" }, c.customer?.number), h("td", { class: "mono" }, c.did),
    h("td", {}, c.legs.filter((l) => l.type === "agent").map((l) => l.name).join(", ")), h("td", {}, pill(c.status)),
    h("td", {}, c.duration != null ? `${c.duration} s` : ""))));
}

function renderCampaigns() {
  fill($("#campaigns"), [...docs("campaigns")].reverse().map((c) => {
    const s = c.stats || {};
    return h("tr", {}, h("td", {}, c.id), h("td", {}, c.name), h("td", {}, pill(c.status)), h("td", { class: "mono" }, time(c.scheduled_at)),
      ["total", "sent", "delivered", "read", "failed", "replied"].map((k) => h("td", {}, s[k] ?? "")));
  }));
}

// --- scenarios ------------------------------------------------------------------------------------
function renderScenarioPicker() {
  const select = $("#scenario");
  const chosen = select.value;
  fill(select, ui.scenarios.map((s) => h("option", { value: s.name, selected: s.name === chosen }, `${s.name} (${s.channel})`)));
  renderScenarioForm();
}

function paramInput(name, spec) {
  const value = spec.default;
  if (spec.choices) return h("select", { name }, spec.choices.map((c) => h("option", { value: c, selected: c === value }, c)));
  if (spec.kind === "flag") return h("input", { name, type: "checkbox", checked: value === true });
  if (spec.kind === "seconds" || spec.kind === "number") {
    return h("input", { name, type: "number", step: "any", min: spec.min, max: spec.max, value: value ?? "" });
  }
  if (spec.kind === "fields" || (value !== null && typeof value === "object")) {
    return h("textarea", { name, rows: 3, dataset: { json: "1" } }, value == null ? "" : pretty(value));
  }
  return h("input", { name, value: value ?? "", placeholder: spec.default_error || "" });
}

function renderScenarioForm() {
  const scenario = ui.scenarios.find((s) => s.name === $("#scenario").value);
  const form = $("#scenario-form");
  if (!scenario) { fill(form); return; }
  $("#scenario-description").textContent = scenario.description;
  fill(form, Object.entries(scenario.params).map(([name, spec]) => h("label", { dataset: { param: name } },
    `${name} (${spec.kind})`, paramInput(name, spec),
    h("span", { class: "field-help" }, spec.description || "", spec.default_from ? ` Default: ${spec.default_from}.` : ""),
    h("span", { class: "field-error" }))), h("button", { type: "submit" }, `Run ${scenario.name}`));
}

function formParams(form, scenario) {
  const params = {};
  for (const [name, spec] of Object.entries(scenario.params)) {
    const input = form.elements[name];
    if (spec.kind === "flag") { params[name] = input.checked; continue; }
    const raw = input.value.trim();
    if (raw === "") continue; // the scenario's default
    if (input.dataset.json) params[name] = JSON.parse(raw);
    else if (input.type === "number") params[name] = Number(raw);
    else params[name] = raw;
  }
  return params;
}

async function runScenario(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const scenario = ui.scenarios.find((s) => s.name === $("#scenario").value);
  $$(".field-error", form).forEach((el) => { el.textContent = ""; });
  let params;
  try { params = formParams(form, scenario); } catch (error) { notify(`Not JSON: ${error.message}`, "error"); return; }
  try {
    const run = await api("POST", `/_mock/scenarios/${scenario.name}/run`, { company_id: ui.company, params });
    const out = $("#scenario-result");
    out.hidden = false;
    out.textContent = pretty({ id: run.id, status: run.status, error: run.error, params: run.params,
      steps: run.steps.map((s) => `${s.offset}s ${s.do}: ${s.status}`) });
    notify(run.status === "failed" ? `The run failed: ${run.error}` : `Started ${scenario.name} (${run.status}).`, run.status === "failed" ? "error" : "info");
    await loadState();
  } catch (error) {
    for (const [key, messages] of Object.entries(error.body?.errors || {})) {
      const field = $(`[data-param="${CSS.escape(key.replace(/^params\./, ""))}"] .field-error`, form);
      if (field) field.textContent = [].concat(messages).join(" ");
    }
    notify(error instanceof ApiError ? error.detail : String(error), "error");
  }
}

function renderRuns() {
  fill($("#runs"), [...ui.runs].reverse().slice(0, 100).map((r) => h("tr", {}, h("td", { class: "mono" }, time(r.started_at)), h("td", {}, r.scenario),
    h("td", {}, pill(r.status)), h("td", {}, `${r.steps.filter((s) => s.status === "done").length}/${r.steps.length}`),
    h("td", { class: "field-error" }, r.error || ""))));
}

// --- simulate and settings ------------------------------------------------------------------------
function keepValue(select, options) {
  const chosen = select.value;
  fill(select, options);
  if ([...select.options].some((o) => o.value === chosen)) select.value = chosen;
}

function renderSimulate() {
  const t = tenant();
  if (!t) return;
  const inbound = $("#inbound-form");
  keepValue(inbound.elements.phone_number_id, t.phone_numbers.map((p) => h("option", { value: p.phone_number_id },
    `${p.phone_number_id} (${p.role})`)));
  const call = $("#call-form");
  keepValue(call.elements.did, docs("dids").map((d) => h("option", { value: d.number }, `${d.number} (${d.region || ""})`)));
  keepValue(call.elements.scenario, ui.scenarios.filter((s) => s.name.startsWith("incoming-") && "did" in s.params)
    .map((s) => h("option", { value: s.name }, s.name.replace("incoming-", ""))));
}

function renderSettings() {
  const t = tenant();
  if (!t) return;
  const form = $("#account-form");
  form.elements.wallet_balance.value = t.wallet_balance;
  for (const flag of ["service_active", "obd_configured", "obd_anonymous_enabled"]) form.elements[flag].checked = !!t[flag];
  const choose = (path, key, value, choices) => h("select", {
    onchange: (event) => act(`${key} set to ${event.target.value}.`, async () => {
      await api("PATCH", path, { [key]: event.target.value }); await loadTenants(); renderSettings(); }),
  }, choices.map((c) => h("option", { value: c, selected: c === value }, c)));
  fill($("#numbers"), t.phone_numbers.map((p) => {
    const path = `/_mock/tenants/${t.company_id}/phonenumbers/${p.phone_number_id}`;
    return h("tr", {}, h("td", { class: "mono" }, p.phone_number_id), h("td", {}, p.role),
      h("td", {}, choose(path, "phone_number_status", p.phone_number_status, ["connected", "otp_verified", "disconnected", "pending"])),
      h("td", {}, choose(path, "onboarding_status", p.onboarding_status, ["success", "pending", "failed"])),
      h("td", {}, choose(path, "status", p.status, ["active", "disabled"])));
  }));
  fill($("#wabas"), t.waba_accounts.map((w) => {
    const path = `/_mock/tenants/${t.company_id}/wabas/${w.waba_id}`;
    return h("tr", {}, h("td", { class: "mono" }, w.waba_id), h("td", {}, w.role),
      h("td", {}, choose(path, "waba_review_status", w.waba_review_status, ["approved", "pending", "rejected"])),
      h("td", {}, choose(path, "status", w.status, ["active", "disabled"])));
  }));
}

async function selectTenant(companyId) {
  ui.company = companyId;
  ui.conversation = null;
  ui.delivery = null;
  $("#tenant").value = companyId;
  await act(null, async () => { await loadState(); await loadScenarios(); });
  renderRequests();
  renderEvents();
  renderDeliveries();
  renderDeliveryDetail();
}

function showTab(name) {
  ui.tab = name;
  $$("#tabs button").forEach((b) => b.classList.toggle("active", b.dataset.tab === name));
  $$(".tab").forEach((s) => s.classList.toggle("active", s.id === `tab-${name}`));
  history.replaceState(null, "", `#${name}`);
}

// --- wiring ---------------------------------------------------------------------------------------
function wire() {
  $("#tabs").addEventListener("click", (event) => { if (event.target.dataset.tab) showTab(event.target.dataset.tab); });
  $("#tenant").addEventListener("change", (event) => selectTenant(event.target.value));
  $$("[data-advance]").forEach((b) => b.addEventListener("click", () => advance(Number(b.dataset.advance))));
  $("#advance-go").addEventListener("click", () => {
    const value = Number($("#advance-seconds").value);
    if (value > 0) advance(value);
  });
  $("#clock-pause").addEventListener("click", () => steerClock({ paused: !ui.clock.paused }));
  $("#clock-speed").addEventListener("change", (event) => steerClock({ speed: Number(event.target.value) }));
  $("#requests-filter").addEventListener("input", () => renderRequests());
  $("#requests-tenant-only").addEventListener("change", () => renderRequests());
  $("#scenario").addEventListener("change", renderScenarioForm);
  $("#scenario-form").addEventListener("submit", runScenario);

  $("#subscription-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const f = event.currentTarget.elements;
    const body = { url: f.url.value.trim(), format: f.format.value,
      events: f.events.value.split(",").map((e) => e.trim()).filter(Boolean) };
    if (f.this_tenant.checked) body.company_id = ui.company;
    act("Subscription added.", async () => { await api("POST", "/_mock/webhooks", body); await loadSubscriptions(); });
  });

  $("#inbound-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const f = event.currentTarget.elements;
    act(null, async () => {
      const answer = await api("POST", `/_mock/tenants/${ui.company}/inbound`, { phone_number_id: f.phone_number_id.value,
        customer_country_code: f.customer_country_code.value.trim(), customer_number: f.customer_number.value.trim(), text: f.text.value });
      ui.conversation = answer.conversation_id;
      await loadState();
      showTab("conversations");
      notify("The customer's message arrived.");
    });
  });

  $("#call-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const f = event.currentTarget.elements;
    const params = { did: f.did.value };
    if (f.customer.value.trim()) params.customer = f.customer.value.trim();
    act(null, async () => {
      const run = await api("POST", `/_mock/scenarios/${f.scenario.value}/run`, { company_id: ui.company, params });
      await loadState();
      showTab("calls");
      notify(run.status === "failed" ? `The call failed: ${run.error}` : `Ringing ${params.did} (${f.scenario.value}).`, run.status === "failed" ? "error" : "info");
    });
  });

  $("#account-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const f = event.currentTarget.elements;
    const body = { wallet_balance: Number(f.wallet_balance.value) };
    for (const flag of ["service_active", "obd_configured", "obd_anonymous_enabled"]) body[flag] = f[flag].checked;
    act("Account saved.", async () => { await api("PATCH", `/_mock/tenants/${ui.company}`, body); await loadTenants(); render(); });
  });

  $("#reset-tenant").addEventListener("click", () => {
    if (!confirm(`Reset ${ui.company} to its fixtures?`)) return;
    act("Tenant reset.", async () => { await api("POST", `/_mock/tenants/${ui.company}/reset`); await reloadAll(); });
  });
  $("#reset-all").addEventListener("click", () => {
    if (!confirm("Reset every tenant to its fixtures?")) return;
    act("Every tenant reset.", async () => { await api("POST", "/_mock/reset"); await reloadAll(); });
  });

  $("#token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, event.currentTarget.elements.token.value);
    $("#token-dialog").close();
    act(null, reloadAll);
  });
}

async function start() {
  wire();
  const tab = location.hash.slice(1);
  if ($(`#tab-${CSS.escape(tab || "none")}`)) showTab(tab);
  await act(null, reloadAll);
  followFeed();
}

document.addEventListener("DOMContentLoaded", start);
