/**
 * Controls every voice page has: a session wired to the page's badges, error list and
 * transcript; the text box; and a microphone toggle.
 */

import { clientTools } from "../client-tools.js";
import { Transcript } from "../transcript.js";
import { $, setBadge, showError } from "../ui.js";
import { VoiceSession } from "../voice-session.js";

/** A VoiceSession on this page's #transcript and badges; `onClosed(info)` when the socket closes. */
export function pageSession({ onClosed, closedNotice = "Disconnected" }) {
  const transcript = new Transcript($("transcript"));
  return new VoiceSession({
    transcript,
    clientTools,
    onConnection: (state, info) => {
      setBadge("connection-state", state);
      if (state !== "closed") return;
      onClosed(info);
      if (info) transcript.notice(`${closedNotice} (${info.code}${info.reason ? ": " + info.reason : ""})`);
    },
    onAgentState: (state, event) => setBadge("agent-state", state, event?.agent_name ? `${event.agent_name}: ${state}` : state),
    onInput: (state) => setBadge("input-state", state),
    onPlayback: (state) => setBadge("playback-state", state),
    onError: showError,
  });
}

/**
 * The AgentScope-compatible endpoint on this origin, authenticated by the member's own web
 * session cookie: `client_session_create` then picks the agents (a browser may not dispatch agents
 * through a token's room_config, so the pages do not go through POST /api/token for this).
 */
export function sessionSocketUrl(userId) {
  const url = new URL(`/ws/${encodeURIComponent(userId)}/${crypto.randomUUID()}`, window.location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.toString();
}

/** The #text-form sends typed text through the current session. */
export function bindTextForm(currentSession) {
  $("text-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = $("text-input");
    const text = input.value.trim();
    const session = currentSession();
    if (!text || !session) return;
    // Clear before sending: sendText first waits for playback to flush, and clearing afterwards
    // would wipe whatever the person typed meanwhile.
    input.value = "";
    try {
      await session.sendText(text);
    } catch (error) {
      if (!input.value) input.value = text;
      showError(error);
    }
  });
}

/** A toggle button: the first press opens the microphone, later presses mute and unmute it. */
export function bindMicToggle(button, currentSession, { live, muted }) {
  button.addEventListener("click", async () => {
    const session = currentSession();
    if (!session) return;
    try {
      if (!session.mic) await session.startMic();
      else session.setMuted(!session.mic.muted);
      const on = !session.mic.muted;
      button.setAttribute("aria-pressed", String(on));
      button.textContent = on ? live : muted;
    } catch (error) {
      showError(error);
    }
  });
}

export function resetMicToggle(button, label) {
  button.setAttribute("aria-pressed", "false");
  button.textContent = label;
}
