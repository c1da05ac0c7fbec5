/**
 * Room: join a room with a pasted token (or one from POST /api/token), see who is there from
 * `room_participant_joined` / `room_participant_left`, exchange data messages
 * (`client_data_publish` out, `room_data_received` in) and talk with the room's agents.
 */

import { $, clearErrors, requestToken, showError, socketUrl } from "../ui.js";
import { bindMicToggle, bindTextForm, pageSession, resetMicToggle } from "./controls.js";

let session = null;
const participants = new Map(); // identity -> <li>

function setJoined(joined) {
  $("join").disabled = joined;
  $("leave").disabled = !joined;
  $("mic").disabled = !joined;
  for (const id of ["text-input", "text-send", "data-input", "data-send"]) $(id).disabled = !joined;
  if (!joined) {
    resetMicToggle($("mic"), "Microphone on");
    participants.clear();
    $("participants").replaceChildren();
  }
}

function participantJoined(event) {
  const p = event.participant || event;
  const identity = p.identity || p.sid;
  if (!identity || participants.has(identity)) return;
  const li = document.createElement("li");
  li.dataset.identity = identity;
  li.textContent = `${p.name || identity}${p.kind === "agent" ? " (agent)" : ""}`;
  participants.set(identity, li);
  $("participants").append(li);
}

function participantLeft(event) {
  const p = event.participant || event;
  const identity = p.identity || p.sid;
  participants.get(identity)?.remove();
  participants.delete(identity);
}

function dataReceived(event) {
  const li = document.createElement("li");
  const from = event.sender_identity || event.participant?.identity || "someone";
  li.textContent = `${from}${event.topic ? " [" + event.topic + "]" : ""}: ${typeof event.payload === "string" ? event.payload : JSON.stringify(event.payload)}`;
  $("data-log").append(li);
}

async function getToken() {
  clearErrors();
  const roomName = $("room-name").value.trim();
  if (!roomName) {
    showError("Enter a room name.");
    return;
  }
  const body = { room_name: roomName };
  if ($("room-agent").value) body.room_config = { agents: [{ agent_name: $("room-agent").value }] };
  try {
    const grant = await requestToken(body);
    $("token").value = grant.participant_token;
    $("server-url").value = grant.server_url;
  } catch (error) {
    showError(error);
  }
}

async function join() {
  clearErrors();
  const token = $("token").value.trim();
  const serverUrl = $("server-url").value.trim();
  if (!token || !serverUrl) {
    showError("A token and a server URL are needed to join.");
    return;
  }
  session = pageSession({ onClosed: () => setJoined(false), closedNotice: "Left the room" });
  session.client.on("room_participant_joined", participantJoined);
  session.client.on("room_participant_left", participantLeft);
  session.client.on("room_data_received", dataReceived);
  setJoined(true);
  try {
    await session.start({ url: socketUrl(serverUrl, token) });
  } catch (error) {
    showError(error);
    await session.stop();
    setJoined(false);
  }
}

$("get-token").addEventListener("click", getToken);
$("join").addEventListener("click", join);
$("leave").addEventListener("click", () => session?.stop());
bindMicToggle($("mic"), () => session, { live: "Microphone off", muted: "Microphone on" });
bindTextForm(() => session);
$("data-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const payload = $("data-input").value.trim();
  if (!payload || !session) return;
  try {
    session.client.publishData(payload);
    $("data-input").value = "";
  } catch (error) {
    showError(error);
  }
});
window.addEventListener("pagehide", () => session?.stop());
