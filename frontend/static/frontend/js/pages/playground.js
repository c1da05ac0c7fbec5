/**
 * Playground: talk to one agent. Gets a token from POST /api/token for a fresh room with the
 * chosen agent, connects, streams the microphone and plays the agent. Ships one client tool,
 * `browser_timezone`, answered from this browser.
 */

import { Transcript } from "../transcript.js";
import { $, clearErrors, randomRoomName, requestToken, setBadge, showError, socketUrl } from "../ui.js";
import { VoiceSession } from "../voice-session.js";

export const clientTools = {
  browser_timezone: () => ({ time_zone: Intl.DateTimeFormat().resolvedOptions().timeZone }),
};

let session = null;

function setConnected(connected) {
  $("connect").disabled = connected;
  $("agent").disabled = connected;
  $("disconnect").disabled = !connected;
  $("mute").disabled = !connected;
  $("text-input").disabled = !connected;
  $("text-send").disabled = !connected;
  if (!connected) {
    $("mute").setAttribute("aria-pressed", "false");
    $("mute").textContent = "Mute";
    setBadge("agent-state", "idle");
  }
}

async function connect() {
  clearErrors();
  const agent = $("agent").value.trim();
  if (!agent) {
    showError("Pick an agent first.");
    return;
  }
  const transcript = new Transcript($("transcript"));
  session = new VoiceSession({
    transcript,
    clientTools,
    onConnection: (state, info) => {
      setBadge("connection-state", state);
      if (state === "closed") {
        setConnected(false);
        if (info) transcript.notice(`Disconnected (${info.code}${info.reason ? ": " + info.reason : ""})`);
      }
    },
    onAgentState: (state) => setBadge("agent-state", state),
    onPlayback: (state) => setBadge("playback-state", state),
    onError: showError,
  });
  setConnected(true);
  try {
    const grant = await requestToken({ room_name: randomRoomName("playground"), room_config: { agents: [{ agent_name: agent }] } });
    await session.start({ url: socketUrl(grant.server_url, grant.participant_token) });
    await session.startMic();
  } catch (error) {
    showError(error);
    await session.stop();
    setConnected(false);
  }
}

$("connect").addEventListener("click", connect);
$("disconnect").addEventListener("click", () => session?.stop());
$("mute").addEventListener("click", () => {
  if (!session?.mic) return;
  const muted = !session.mic.muted;
  session.setMuted(muted);
  $("mute").setAttribute("aria-pressed", String(muted));
  $("mute").textContent = muted ? "Unmute" : "Mute";
});
$("text-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = $("text-input");
  const text = input.value.trim();
  if (!text || !session) return;
  try {
    await session.sendText(text);
    input.value = "";
  } catch (error) {
    showError(error);
  }
});
window.addEventListener("pagehide", () => session?.stop());
