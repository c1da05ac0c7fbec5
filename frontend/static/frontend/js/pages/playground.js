/**
 * Playground: talk to one agent. Opens the AgentScope-compatible endpoint with the member's web
 * session, asks for a session with the chosen agent, opens the microphone and plays the agent. The page answers the client
 * tools in client-tools.js (e.g. `browser_timezone`).
 */

import { $, clearErrors, setBadge, showError } from "../ui.js";
import { bindTextForm, pageSession, sessionSocketUrl } from "./controls.js";

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
    setBadge("input-state", "idle");
  }
}

async function connect() {
  clearErrors();
  const agent = $("agent").value.trim();
  if (!agent) {
    showError("Pick an agent first.");
    return;
  }
  session = pageSession({ onClosed: () => setConnected(false) });
  setConnected(true);
  try {
    await session.start({ url: sessionSocketUrl($("playground").dataset.user), config: { agent } });
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
bindTextForm(() => session);
window.addEventListener("pagehide", () => session?.stop());
