// parley's built-in chat page. Plain JavaScript, no build step, no
// dependencies. It speaks the public REST API (fetch) and follows a session's
// events over Server-Sent Events (EventSource, resumed by after_seq).
//
// Safety rule: model and user text only ever reaches the page through
// textContent / createTextNode. The markdown renderer builds DOM nodes for a
// small whitelist of constructs; nothing is ever assigned to innerHTML.
"use strict";

(() => {
  const TOKEN_KEY = "parley.access_token";
  const AGENT_KEY = "parley.agent";
  const HISTORY_PAGE = 100;
  const SESSION_PAGE = 50;
  const RECONNECT_MIN_MS = 500;
  const RECONNECT_MAX_MS = 10000;

  const $ = (id) => document.getElementById(id);
  const ui = {
    agent: $("agent"),
    agentDescription: $("agent-description"),
    newSession: $("new-session"),
    sessions: $("sessions"),
    moreSessions: $("more-sessions"),
    auth: $("auth"),
    authForm: $("auth-form"),
    token: $("token"),
    tokenClear: $("token-clear"),
    title: $("chat-title"),
    connection: $("connection"),
    notice: $("notice"),
    earlier: $("earlier"),
    transcript: $("transcript"),
    composer: $("composer"),
    input: $("input"),
    send: $("send"),
    stop: $("stop"),
  };

  const state = {
    token: localStorage.getItem(TOKEN_KEY) || "",
    agents: [],
    sessions: [],
    sessionsHasMore: false,
    sessionsEpoch: 0, // bumped by every create and delete
    session: null, // the open session object
    lastSeq: 0, // highest event seq applied for the open session
    oldestSeq: null, // lowest message seq shown, for "load earlier"
    running: false,
    events: null, // the EventSource
    reconnectDelay: RECONNECT_MIN_MS,
    reconnectTimer: null,
    generation: 0, // bumped on every session switch; stale async work checks it
    messages: new Map(), // message id -> {element, body, text, status, role}
    toolCalls: new Map(), // call id -> {details, result}
    renderQueued: new Set(),
  };

  // ---------------------------------------------------------------- REST ----

  class ApiError extends Error {
    constructor(status, error) {
      super((error && error.message) || `HTTP ${status}`);
      this.status = status;
      this.code = (error && error.code) || "";
    }
  }

  async function api(method, path, body) {
    const headers = { Accept: "application/json" };
    if (state.token) headers.Authorization = `Bearer ${state.token}`;
    const init = { method, headers };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    if (response.status === 204) return null;
    const data = await response.json().catch(() => null);
    if (!response.ok) {
      const error = new ApiError(response.status, data && data.error);
      if (response.status === 401) needToken();
      throw error;
    }
    return data;
  }

  const sessionPath = (id, rest = "") => `/v1/sessions/${encodeURIComponent(id)}${rest}`;

  // --------------------------------------------------------------- notice ---

  function showNotice(text) {
    ui.notice.textContent = text;
    ui.notice.hidden = false;
  }

  function clearNotice() {
    ui.notice.hidden = true;
    ui.notice.textContent = "";
  }

  function report(error) {
    if (error instanceof ApiError && error.status === 401) return; // needToken() said it
    showNotice(error instanceof ApiError ? `${error.message} (${error.code || error.status})` : String(error));
  }

  function needToken() {
    ui.auth.open = true;
    showNotice("An access token is required: paste an API key under \u201cAccess token\u201d.");
    ui.token.focus();
  }

  function setConnection(text) {
    ui.connection.textContent = text;
    ui.connection.className = `badge ${text}`;
  }

  // ------------------------------------------------------------- markdown ---
  // Block constructs: fenced code, headings, lists, block quotes, paragraphs.
  // Inline: code spans, **bold**, *italic* / _italic_, [text](http/https/mailto
  // links). Everything else is text.

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  const INLINE = /(`+)([\s\S]*?[^`])\1(?!`)|\*\*([\s\S]+?)\*\*|\*(?!\s)([\s\S]+?)\*|\b_(?!\s)([\s\S]+?)_\b|\[([^\]\n]+)\]\(([^)\s]+)\)/;

  function safeHref(url) {
    try {
      const parsed = new URL(url, location.href);
      return ["http:", "https:", "mailto:"].includes(parsed.protocol) ? parsed.href : null;
    } catch {
      return null;
    }
  }

  function appendInline(parent, text) {
    let rest = text;
    while (rest.length > 0) {
      const match = INLINE.exec(rest);
      if (!match) {
        appendText(parent, rest);
        return;
      }
      appendText(parent, rest.slice(0, match.index));
      if (match[1]) {
        parent.append(el("code", "", match[2]));
      } else if (match[3] !== undefined) {
        appendInline(parent.appendChild(el("strong")), match[3]);
      } else if (match[4] !== undefined || match[5] !== undefined) {
        appendInline(parent.appendChild(el("em")), match[4] !== undefined ? match[4] : match[5]);
      } else {
        const href = safeHref(match[7]);
        if (href) {
          const link = el("a", "", match[6]);
          link.href = href;
          link.target = "_blank";
          link.rel = "noopener noreferrer nofollow";
          parent.append(link);
        } else {
          appendText(parent, match[0]);
        }
      }
      rest = rest.slice(match.index + match[0].length);
    }
  }

  // Text with its single newlines kept as <br>.
  function appendText(parent, text) {
    const lines = text.split("\n");
    lines.forEach((line, i) => {
      if (i > 0) parent.append(document.createElement("br"));
      if (line) parent.append(document.createTextNode(line));
    });
  }

  function renderMarkdown(source) {
    const fragment = document.createDocumentFragment();
    const lines = source.replace(/\r\n?/g, "\n").split("\n");
    let paragraph = [];
    let list = null;
    const flushParagraph = () => {
      if (paragraph.length) appendInline(fragment.appendChild(el("p")), paragraph.join("\n"));
      paragraph = [];
    };
    const flushList = () => {
      list = null;
    };
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      const fence = /^\s*(```+|~~~+)\s*([\w+-]*)\s*$/.exec(line);
      if (fence) {
        flushParagraph();
        flushList();
        const body = [];
        for (i++; i < lines.length && !lines[i].trim().startsWith(fence[1]); i++) body.push(lines[i]);
        const code = el("code", "", body.join("\n"));
        if (fence[2]) code.dataset.lang = fence[2];
        fragment.appendChild(el("pre")).append(code);
        continue;
      }
      const heading = /^(#{1,6})\s+(.*)$/.exec(line);
      if (heading) {
        flushParagraph();
        flushList();
        appendInline(fragment.appendChild(el(`h${Math.min(heading[1].length + 2, 6)}`)), heading[2]);
        continue;
      }
      const item = /^\s*(?:([-*+])|(\d{1,9})[.)])\s+(.*)$/.exec(line);
      if (item) {
        flushParagraph();
        const tag = item[1] ? "ul" : "ol";
        if (!list || list.tagName.toLowerCase() !== tag) list = fragment.appendChild(el(tag));
        appendInline(list.appendChild(el("li")), item[3]);
        continue;
      }
      const quote = /^>\s?(.*)$/.exec(line);
      if (quote) {
        flushParagraph();
        flushList();
        const last = fragment.lastChild;
        const block = last && last.tagName === "BLOCKQUOTE" ? last : fragment.appendChild(el("blockquote"));
        if (block.childNodes.length) block.append(document.createElement("br"));
        appendInline(block, quote[1]);
        continue;
      }
      if (line.trim() === "") {
        flushParagraph();
        flushList();
        continue;
      }
      flushList();
      paragraph.push(line);
    }
    flushParagraph();
    return fragment;
  }

  // ----------------------------------------------------------- transcript ---

  function scrollToEnd(force) {
    const t = ui.transcript;
    const nearEnd = t.scrollHeight - t.scrollTop - t.clientHeight < 120;
    if (force || nearEnd) t.scrollTop = t.scrollHeight;
  }

  function messageEntry(id, role, status, beforeNode) {
    let entry = state.messages.get(id);
    if (entry) return entry;
    const element = el("article", `msg ${role}`);
    element.dataset.id = id;
    element.dataset.role = role;
    element.dataset.status = status;
    const body = el("div", "body");
    const tools = el("div", "tools");
    const footer = el("span", "status");
    footer.hidden = true;
    element.append(body, tools, footer);
    ui.transcript.insertBefore(element, beforeNode || null);
    entry = { element, body, tools, footer, text: "", status, role, seq: 0 };
    state.messages.set(id, entry);
    return entry;
  }

  function renderBody(entry) {
    if (entry.role === "user") {
      entry.body.textContent = entry.text; // shown literally, always
    } else {
      entry.body.replaceChildren(renderMarkdown(entry.text));
    }
  }

  // Many deltas per frame cost one re-render.
  function queueRender(entry) {
    if (state.renderQueued.size === 0) {
      requestAnimationFrame(() => {
        for (const queued of state.renderQueued) renderBody(queued);
        state.renderQueued.clear();
        scrollToEnd(false);
      });
    }
    state.renderQueued.add(entry);
  }

  function setStatus(entry, status) {
    entry.status = status;
    entry.element.dataset.status = status;
    const labels = { interrupted: "stopped", failed: "failed" };
    entry.footer.hidden = !labels[status];
    entry.footer.textContent = labels[status] || "";
  }

  function toolCallEntry(callId, name, args, parentTools) {
    let entry = state.toolCalls.get(callId);
    if (!entry) {
      const details = el("details", "tool-call");
      details.dataset.callId = callId;
      const summary = el("summary");
      const argsBlock = el("pre", "arguments");
      const result = el("pre", "result");
      result.hidden = true;
      details.append(summary, argsBlock, result);
      (parentTools || ui.transcript).append(details);
      entry = { details, summary, argsBlock, result, name };
      state.toolCalls.set(callId, entry);
    }
    if (name) entry.name = name;
    entry.summary.textContent = `Tool call: ${entry.name || "tool"}${entry.result.hidden ? " \u2026" : ""}`;
    if (args !== undefined) {
      entry.argsBlock.textContent = typeof args === "string" ? args : JSON.stringify(args, null, 2);
    }
    return entry;
  }

  function toolResult(callId, name, output, isError) {
    const entry = toolCallEntry(callId, name);
    entry.result.hidden = false;
    entry.result.textContent = output;
    entry.details.dataset.error = isError ? "true" : "false";
    entry.summary.textContent = `Tool ${isError ? "error" : "result"}: ${entry.name || "tool"}`;
  }

  // A stored message (from history or an event); idempotent.
  function showMessage(message, beforeNode) {
    if (message.role === "tool") {
      if (message.tool_call_id) toolResult(message.tool_call_id, "", message.content, message.status === "failed");
      return;
    }
    const entry = messageEntry(message.id, message.role, message.status, beforeNode);
    entry.text = message.content || "";
    entry.seq = message.seq;
    setStatus(entry, message.status);
    renderBody(entry);
    for (const call of message.tool_calls || []) toolCallEntry(call.id, call.name, call.arguments, entry.tools);
    if (message.role === "assistant" && !entry.text && (message.tool_calls || []).length) {
      entry.element.classList.add("tool-only");
    }
    if (state.oldestSeq === null || message.seq < state.oldestSeq) state.oldestSeq = message.seq;
  }

  function showTurnError(error) {
    const note = el("p", "turn-error", `Turn failed: ${(error && error.message) || "unknown error"}${error && error.code ? ` (${error.code})` : ""}`);
    ui.transcript.append(note);
  }

  function setRunning(running) {
    state.running = running;
    ui.transcript.dataset.state = running ? "running" : "idle";
    ui.stop.disabled = !running;
  }

  // ---------------------------------------------------------------- events --

  function applyEvent(event) {
    if (typeof event.seq === "number") {
      // A replay after a reconnect may repeat what was already applied.
      if (event.seq <= state.lastSeq) return;
      state.lastSeq = event.seq;
    }
    switch (event.type) {
      case "turn.queued":
        showMessage(event.user_message);
        break;
      case "turn.started":
        showMessage(event.user_message);
        setRunning(true);
        break;
      case "message.delta": {
        const entry = messageEntry(event.message_id, "assistant", "streaming");
        if (entry.status !== "streaming") break; // already complete from history
        entry.text += event.delta;
        queueRender(entry);
        break;
      }
      case "tool.call": {
        const owner = [...state.messages.values()].filter((m) => m.role === "assistant").pop();
        toolCallEntry(event.call_id, event.name, event.arguments, owner && owner.tools);
        break;
      }
      case "tool.result":
        toolResult(event.call_id, event.name, event.output, event.is_error);
        break;
      case "message.completed":
        showMessage(event.message);
        break;
      case "turn.completed":
        setRunning(false);
        break;
      case "turn.interrupted":
        if (event.message) showMessage(event.message);
        finishStreaming("interrupted");
        setRunning(false);
        break;
      case "turn.failed":
        if (event.message) showMessage(event.message);
        finishStreaming("failed");
        showTurnError(event.error);
        setRunning(false);
        break;
      default:
        break;
    }
    scrollToEnd(false);
  }

  // A turn that ended leaves no message streaming.
  function finishStreaming(status) {
    for (const entry of state.messages.values()) {
      if (entry.status === "streaming") setStatus(entry, status);
    }
  }

  function eventsUrl(afterSeq) {
    const params = new URLSearchParams();
    if (afterSeq !== null) params.set("after_seq", String(afterSeq));
    if (state.token) params.set("access_token", state.token);
    const query = params.toString();
    return `${sessionPath(state.session.id, "/events")}${query ? `?${query}` : ""}`;
  }

  const EVENT_TYPES = [
    "turn.queued",
    "turn.started",
    "message.delta",
    "tool.call",
    "tool.result",
    "message.completed",
    "turn.completed",
    "turn.interrupted",
    "turn.failed",
  ];

  // Follows the open session from afterSeq (null: live only). Reconnects by
  // itself, resuming after the last seq applied.
  function follow(afterSeq) {
    stopFollowing();
    const generation = state.generation;
    const source = new EventSource(eventsUrl(afterSeq));
    state.events = source;
    let opened = false;
    source.onopen = () => {
      opened = true;
      state.reconnectDelay = RECONNECT_MIN_MS;
      setConnection("live");
    };
    const onEvent = (message) => {
      if (generation !== state.generation) return;
      try {
        applyEvent(JSON.parse(message.data));
      } catch (error) {
        console.error("parley: bad event", error);
      }
    };
    for (const type of EVENT_TYPES) source.addEventListener(type, onEvent);
    source.onerror = () => {
      if (generation !== state.generation) return;
      // EventSource would reconnect with its original after_seq; reconnect
      // ourselves from the last applied seq instead.
      source.close();
      state.events = null;
      scheduleReconnect(generation, opened);
    };
  }

  // Retries with exponential backoff (0.5 s doubling to 10 s, reset once a
  // stream opens).
  function scheduleReconnect(generation, wasOpen) {
    setConnection("reconnecting");
    const delay = state.reconnectDelay;
    state.reconnectDelay = Math.min(state.reconnectDelay * 2, RECONNECT_MAX_MS);
    clearTimeout(state.reconnectTimer);
    state.reconnectTimer = setTimeout(() => reconnect(generation, wasOpen), delay);
  }

  async function reconnect(generation, wasOpen) {
    if (generation !== state.generation || !state.session) return;
    try {
      if (!wasOpen) {
        // The stream never opened: EventSource hides the status, so ask once.
        const status = await probeEvents();
        if (generation !== state.generation) return;
        if (status === 410) {
          await resync();
          return;
        }
        if (status === 404) {
          showNotice("This session no longer exists.");
          setConnection("offline");
          await loadSessions();
          return;
        }
        if (status === 401) {
          needToken();
          setConnection("offline");
          return;
        }
      }
      follow(state.lastSeq);
    } catch {
      // The server is still away (the history reload failed): try again.
      if (generation === state.generation) scheduleReconnect(generation, false);
    }
  }

  // The status the events endpoint answers, without keeping the stream.
  async function probeEvents() {
    const controller = new AbortController();
    try {
      const response = await fetch(eventsUrl(state.lastSeq), { signal: controller.signal });
      return response.status;
    } catch {
      return 0;
    } finally {
      controller.abort();
    }
  }

  // 410 resync_required: the events to resume from are gone. Reload the
  // history, then follow live.
  async function resync() {
    const generation = state.generation;
    await loadHistory();
    if (generation !== state.generation) return;
    follow(null);
  }

  function stopFollowing() {
    clearTimeout(state.reconnectTimer);
    state.reconnectTimer = null;
    if (state.events) state.events.close();
    state.events = null;
  }

  // -------------------------------------------------------------- sessions --

  async function loadAgents() {
    const data = await api("GET", "/v1/agents");
    state.agents = data.data;
    ui.agent.replaceChildren(
      ...state.agents.map((agent) => {
        const option = el("option", "", agent.name);
        option.value = agent.name;
        return option;
      }),
    );
    const saved = localStorage.getItem(AGENT_KEY);
    if (saved && state.agents.some((a) => a.name === saved)) ui.agent.value = saved;
    describeAgent();
  }

  function describeAgent() {
    const agent = state.agents.find((a) => a.name === ui.agent.value);
    ui.agentDescription.textContent = agent ? [agent.description, agent.model].filter(Boolean).join(" \u00b7 ") : "";
  }

  async function loadSessions(more = false) {
    const epoch = state.sessionsEpoch;
    const after = more && state.sessions.length ? `&after=${encodeURIComponent(state.sessions.at(-1).id)}` : "";
    const data = await api("GET", `/v1/sessions?limit=${SESSION_PAGE}${after}`);
    // A session created or deleted meanwhile makes this page stale: ask again.
    if (epoch !== state.sessionsEpoch) return loadSessions(more);
    state.sessions = more ? state.sessions.concat(data.data) : data.data;
    state.sessionsHasMore = data.has_more;
    renderSessions();
  }

  function sessionLabel(session) {
    return session.title || `${session.agent} \u00b7 ${new Date(session.created_at).toLocaleString()}`;
  }

  function renderSessions() {
    ui.sessions.replaceChildren(...state.sessions.map(sessionItem));
    ui.moreSessions.hidden = !state.sessionsHasMore;
  }

  function sessionItem(session) {
    const item = el("li", "session-item");
    item.dataset.id = session.id;
    if (state.session && state.session.id === session.id) item.classList.add("active");
    const open = el("button", "open", sessionLabel(session));
    open.type = "button";
    open.title = sessionLabel(session);
    open.addEventListener("click", () => openSession(session.id).catch(report));
    const rename = el("button", "tool rename", "Rename");
    rename.type = "button";
    rename.setAttribute("aria-label", `Rename ${sessionLabel(session)}`);
    rename.addEventListener("click", () => startRename(item, session));
    const remove = el("button", "tool delete", "Delete");
    remove.type = "button";
    remove.setAttribute("aria-label", `Delete ${sessionLabel(session)}`);
    remove.addEventListener("click", () => {
      // Two clicks: the first asks, the second deletes.
      if (!remove.classList.contains("confirm")) {
        remove.classList.add("confirm");
        remove.textContent = "Confirm";
        setTimeout(() => {
          remove.classList.remove("confirm");
          remove.textContent = "Delete";
        }, 4000);
        return;
      }
      deleteSession(session.id).catch(report);
    });
    item.append(open, rename, remove);
    return item;
  }

  function startRename(item, session) {
    const input = el("input");
    input.value = session.title || "";
    input.setAttribute("aria-label", "New title");
    item.replaceChildren(input);
    input.focus();
    input.select();
    let done = false;
    const finish = async (save) => {
      if (done) return;
      done = true;
      if (save && input.value.trim() !== (session.title || "")) {
        try {
          const updated = await api("PATCH", sessionPath(session.id), { title: input.value.trim() || null });
          Object.assign(session, updated);
          if (state.session && state.session.id === session.id) {
            state.session = updated;
            ui.title.textContent = sessionLabel(updated);
          }
        } catch (error) {
          report(error);
        }
      }
      renderSessions();
    };
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        finish(true);
      } else if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation();
        finish(false);
      }
    });
    input.addEventListener("blur", () => finish(true));
  }

  async function createSession() {
    const agent = ui.agent.value;
    if (!agent) return;
    localStorage.setItem(AGENT_KEY, agent);
    const session = await api("POST", "/v1/sessions", { agent });
    state.sessionsEpoch++;
    state.sessions.unshift(session);
    await openSession(session.id, session);
    ui.input.focus();
  }

  async function deleteSession(id) {
    await api("DELETE", sessionPath(id));
    state.sessionsEpoch++;
    state.sessions = state.sessions.filter((s) => s.id !== id);
    if (state.session && state.session.id === id) closeSession();
    renderSessions();
  }

  function resetTranscript() {
    state.messages.clear();
    state.toolCalls.clear();
    state.renderQueued.clear();
    state.oldestSeq = null;
    ui.transcript.replaceChildren();
  }

  function closeSession() {
    state.generation++;
    stopFollowing();
    state.session = null;
    resetTranscript();
    setRunning(false);
    setConnection("offline");
    ui.title.textContent = "No session";
    ui.input.disabled = true;
    ui.send.disabled = true;
    ui.earlier.hidden = true;
    history.replaceState(null, "", location.pathname);
  }

  async function openSession(id, known) {
    closeSession();
    clearNotice();
    const generation = state.generation;
    const session = known || (await api("GET", sessionPath(id)));
    if (generation !== state.generation) return;
    state.session = session;
    history.replaceState(null, "", `#${session.id}`);
    ui.title.textContent = sessionLabel(session);
    renderSessions();
    ui.input.disabled = false;
    ui.send.disabled = false;
    await loadHistory();
    if (generation !== state.generation) return;
    follow(state.lastSeq);
  }

  // Loads the latest messages and sets the resume point: after the session's
  // last seq when it is idle (nothing in flight), else after the newest stored
  // message, so the running turn's retained deltas replay.
  async function loadHistory() {
    const generation = state.generation;
    const session = await api("GET", sessionPath(state.session.id));
    const page = await api("GET", sessionPath(state.session.id, `/messages?limit=${HISTORY_PAGE}`));
    if (generation !== state.generation) return;
    state.session = session;
    resetTranscript();
    for (const message of page.data) showMessage(message);
    ui.earlier.hidden = !page.has_more;
    const newest = page.data.length ? page.data.at(-1).seq : 0;
    state.lastSeq = session.status === "idle" ? Math.max(session.last_seq, newest) : newest;
    setRunning(session.status === "running");
    scrollToEnd(true);
  }

  async function loadEarlier() {
    if (!state.session || state.oldestSeq === null) return;
    const generation = state.generation;
    const page = await api("GET", sessionPath(state.session.id, `/messages?limit=${HISTORY_PAGE}&before_seq=${state.oldestSeq}`));
    if (generation !== state.generation) return;
    const first = ui.transcript.firstChild;
    const height = ui.transcript.scrollHeight;
    for (const message of page.data) showMessage(message, first);
    ui.earlier.hidden = !page.has_more;
    ui.transcript.scrollTop += ui.transcript.scrollHeight - height;
  }

  // ------------------------------------------------------------- composing --

  async function send() {
    const content = ui.input.value;
    if (!state.session || content.trim() === "") return;
    const session = state.session;
    ui.input.value = "";
    clearNotice();
    try {
      // The reply arrives over the event stream; this answer only confirms.
      const result = await api("POST", sessionPath(session.id, "/messages"), { content, stream: false });
      if (state.session && state.session.id === session.id && !state.events) {
        for (const message of result.messages) showMessage(message);
      }
      bumpSession(session.id);
    } catch (error) {
      if (!ui.input.value) ui.input.value = content; // give the text back
      report(error);
    }
  }

  function bumpSession(id) {
    const index = state.sessions.findIndex((s) => s.id === id);
    if (index > 0) {
      state.sessions.unshift(...state.sessions.splice(index, 1));
      renderSessions();
    }
  }

  async function interrupt() {
    if (!state.session) return;
    await api("POST", sessionPath(state.session.id, "/interrupt"));
  }

  // ----------------------------------------------------------------- wiring --

  ui.composer.addEventListener("submit", (event) => {
    event.preventDefault();
    send();
  });
  ui.input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      send();
    }
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && state.running) {
      event.preventDefault();
      interrupt().catch(report);
    }
  });
  ui.stop.addEventListener("click", () => interrupt().catch(report));
  ui.newSession.addEventListener("click", () => createSession().catch(report));
  ui.agent.addEventListener("change", () => {
    localStorage.setItem(AGENT_KEY, ui.agent.value);
    describeAgent();
  });
  ui.moreSessions.addEventListener("click", () => loadSessions(true).catch(report));
  ui.earlier.addEventListener("click", () => loadEarlier().catch(report));
  ui.authForm.addEventListener("submit", (event) => {
    event.preventDefault();
    state.token = ui.token.value.trim();
    if (state.token) localStorage.setItem(TOKEN_KEY, state.token);
    else localStorage.removeItem(TOKEN_KEY);
    ui.auth.open = false;
    start();
  });
  ui.tokenClear.addEventListener("click", () => {
    state.token = "";
    ui.token.value = "";
    localStorage.removeItem(TOKEN_KEY);
    closeSession();
    start();
  });
  window.addEventListener("online", () => {
    if (state.session && !state.events) follow(state.lastSeq);
  });

  async function start() {
    clearNotice();
    ui.token.value = state.token;
    try {
      await loadAgents();
      await loadSessions();
      const wanted = location.hash.slice(1);
      if (wanted) await openSession(decodeURIComponent(wanted));
    } catch (error) {
      report(error);
    }
  }

  start();
})();
