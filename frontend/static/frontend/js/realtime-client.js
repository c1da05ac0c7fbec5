/**
 * A WebSocket client for the AgentScope v1 realtime protocol and the platform's extensions.
 *
 *   const client = new RealtimeClient();
 *   client.on("agent_response_audio_delta", (ev) => ...);   // any server event type
 *   client.on("*", (ev) => ...);                            // every server event
 *   client.on("error", (err) => ...);                       // see below
 *   client.on("close", ({code, reason, wasClean}) => ...);
 *   await client.connect(serverUrl + "?access_token=" + token);
 *   await client.createSession({ ... });                    // resolves with server_session_created
 *   client.sendText("hello");
 *
 * Every problem reaches the "error" listeners as `{source, code, message, event?}`: `agent_error`
 * and any other server event whose type ends in "error" (source "server"), frames that are not
 * JSON objects with a string `type` (source "protocol"), socket errors and unexpected closes
 * (source "socket"). With no "error" listener they go to console.error: never swallowed.
 */

import { int16ToBase64 } from "./audio/pcm.js";

export const CLOSE_NORMAL = 1000;

export class RealtimeClient {
  constructor({ WebSocketImpl = globalThis.WebSocket } = {}) {
    this.WebSocketImpl = WebSocketImpl;
    this.socket = null;
    this.sessionId = null;
    this.listeners = new Map();
    this.closing = false;
  }

  /** Subscribe to a server event type, "*", "open", "close" or "error"; returns an unsubscribe. */
  on(type, listener) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type).add(listener);
    return () => this.listeners.get(type)?.delete(listener);
  }

  /** Resolve with the next event of `type` (optionally matching `predicate`), or reject on timeout/close. */
  waitFor(type, { timeoutMs = 10000, predicate = () => true } = {}) {
    return new Promise((resolve, reject) => {
      const cleanup = () => {
        clearTimeout(timer);
        offEvent();
        offClose();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no ${type} within ${timeoutMs} ms`));
      }, timeoutMs);
      const offEvent = this.on(type, (event) => {
        if (!predicate(event)) return;
        cleanup();
        resolve(event);
      });
      const offClose = this.on("close", (info) => {
        cleanup();
        reject(new Error(`connection closed (${info.code}${info.reason ? ": " + info.reason : ""}) before ${type}`));
      });
    });
  }

  emit(type, payload) {
    const listeners = this.listeners.get(type);
    if (type === "error" && (!listeners || listeners.size === 0)) {
      console.error("realtime client error", payload);
      return;
    }
    for (const listener of listeners ? [...listeners] : []) {
      try {
        listener(payload);
      } catch (error) {
        // A broken listener must not stop the others, and must not vanish either.
        if (type === "error") console.error("error listener failed", error);
        else this.emit("error", { source: "client", code: "listener_failed", message: String(error?.message || error), event: payload });
      }
    }
  }

  get connected() {
    return this.socket?.readyState === 1;
  }

  /** Open the socket; resolves once open, rejects if it closes first. */
  connect(url) {
    if (this.socket) throw new Error("already connected; close() first");
    this.closing = false;
    return new Promise((resolve, reject) => {
      const socket = new this.WebSocketImpl(url);
      this.socket = socket;
      let opened = false;
      socket.onopen = () => {
        opened = true;
        this.emit("open", { url });
        resolve();
      };
      socket.onmessage = (message) => this.receive(message.data);
      socket.onerror = () => {
        // The browser gives no detail here; the close event that follows carries the code.
        if (opened) this.emit("error", { source: "socket", code: "socket_error", message: "WebSocket error" });
      };
      socket.onclose = (event) => {
        const info = { code: event.code, reason: event.reason, wasClean: event.wasClean };
        this.socket = null;
        this.sessionId = null;
        if (!opened) {
          const error = new Error(`could not connect (close ${event.code}${event.reason ? ": " + event.reason : ""})`);
          error.code = event.code;
          reject(error);
        } else if (!this.closing && event.code !== CLOSE_NORMAL) {
          this.emit("error", {
            source: "socket", code: `close_${event.code}`,
            message: `Connection closed (${event.code}${event.reason ? ": " + event.reason : ""})`,
          });
        }
        this.emit("close", info);
      };
    });
  }

  receive(data) {
    let event;
    try {
      event = JSON.parse(data);
    } catch {
      this.emit("error", { source: "protocol", code: "bad_json", message: `not JSON: ${String(data).slice(0, 120)}` });
      return;
    }
    if (!event || typeof event !== "object" || typeof event.type !== "string") {
      this.emit("error", { source: "protocol", code: "no_type", message: "server event without a string type", event });
      return;
    }
    if (event.type === "server_session_created" && event.session_id) this.sessionId = event.session_id;
    if (event.type === "server_session_ended") this.sessionId = null;
    this.emit(event.type, event);
    this.emit("*", event);
    if (event.type.endsWith("error")) {
      this.emit("error", {
        source: "server",
        code: event.code || event.error_type || event.type,
        message: event.message || event.error?.message || event.type,
        event,
      });
    }
  }

  send(event) {
    if (!this.connected) throw new Error(`cannot send ${event.type}: not connected`);
    this.socket.send(JSON.stringify(event));
  }

  withSession(event) {
    return this.sessionId ? { ...event, session_id: this.sessionId } : event;
  }

  /** `client_session_create`; resolves with `server_session_created` (rejects on timeout or close). */
  async createSession(config = {}, { timeoutMs = 10000 } = {}) {
    const created = this.waitFor("server_session_created", { timeoutMs });
    this.send({ type: "client_session_create", config });
    return created;
  }

  sendText(text) {
    this.send(this.withSession({ type: "client_text_append", text }));
  }

  /** PCM16 mono as an Int16Array or base64, at its real `rate`. */
  appendAudio(pcm, rate) {
    const audio = typeof pcm === "string" ? pcm : int16ToBase64(pcm);
    this.send(this.withSession({ type: "client_audio_append", audio, format: { type: "audio/pcm", rate } }));
  }

  commitAudio() {
    this.send(this.withSession({ type: "client_audio_commit" }));
  }

  /** Stop the current response. `played` ({item_id, audio_end_ms}) says how much was heard. */
  cancelResponse(played = {}) {
    this.send(this.withSession({ type: "client_response_cancel", ...played }));
  }

  sendToolResult(id, name, output) {
    const text = typeof output === "string" ? output : JSON.stringify(output);
    this.send(this.withSession({ type: "client_tool_result", id, name, output: text }));
  }

  /** Our extension: a data message to the room's other participants (LiveKit-style). */
  publishData(payload, { topic, destinationIdentities } = {}) {
    const event = { type: "client_data_publish", payload };
    if (topic) event.topic = topic;
    if (destinationIdentities?.length) event.destination_identities = destinationIdentities;
    this.send(this.withSession(event));
  }

  endSession() {
    this.send(this.withSession({ type: "client_session_end" }));
  }

  close(code = CLOSE_NORMAL, reason = "") {
    this.closing = true;
    if (this.socket && this.socket.readyState <= 1) this.socket.close(code, reason);
  }
}
