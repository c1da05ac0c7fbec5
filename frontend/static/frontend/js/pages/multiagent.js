/**
 * Multi-agent conversation: two or more agents (name, instructions, provider) configured on the
 * page, or a saved room config; start and stop. Each agent's audio plays strictly after the
 * previous response (see ResponseSequencer), each agent's transcript has its own colour, and the
 * person may join by text or voice. The agents' turn-taking (the floor) is the server's: this page
 * sends no silence to keep them going.
 */

import { $, clearErrors, showError } from "../ui.js";
import { bindMicToggle, bindTextForm, pageSession, resetMicToggle, sessionSocketUrl } from "./controls.js";

const PRESETS = [
  { name: "Ada", instructions: "You are Ada, an optimistic engineer. Debate briefly whether realtime voice agents will replace call centres. Keep each turn to two sentences." },
  { name: "Grace", instructions: "You are Grace, a sceptical engineer. Debate briefly whether realtime voice agents will replace call centres. Keep each turn to two sentences." },
];

let session = null;
const rows = $("agent-rows");
const defaultProvider = rows.dataset.defaultProvider || "local";

function addAgentRow(preset = { name: "", instructions: "" }) {
  const row = $("agent-row-template").content.firstElementChild.cloneNode(true);
  row.querySelector('[name="name"]').value = preset.name;
  row.querySelector('[name="instructions"]').value = preset.instructions;
  row.querySelector('[name="provider"]').value = defaultProvider;
  row.querySelector(".remove-agent").addEventListener("click", () => {
    if (rows.children.length > 2) row.remove();
    else showError("A conversation needs at least two agents.");
  });
  rows.append(row);
}

function source() {
  return document.querySelector('input[name="source"]:checked').value;
}

/** The agents configured on the page, validated; throws with a message the person can act on. */
export function configuredAgents() {
  const agents = [...rows.children].map((row) => ({
    agent_name: row.querySelector('[name="name"]').value.trim(),
    instructions: row.querySelector('[name="instructions"]').value.trim(),
    model_provider: row.querySelector('[name="provider"]').value,
  }));
  if (agents.length < 2) throw new Error("Configure at least two agents.");
  agents.forEach((a, i) => {
    if (!a.agent_name || !a.instructions) throw new Error(`Agent ${i + 1} needs a name and instructions.`);
  });
  const names = new Set(agents.map((a) => a.agent_name.toLowerCase()));
  if (names.size !== agents.length) throw new Error("Give every agent a different name.");
  return agents;
}

function setRunning(running) {
  $("start").disabled = running;
  $("stop").disabled = !running;
  $("mic").disabled = !running;
  $("add-agent").disabled = running;
  $("floor-policy").disabled = running;
  $("text-input").disabled = !running;
  $("text-send").disabled = !running;
  if (!running) resetMicToggle($("mic"), "Join by voice");
}

async function start() {
  clearErrors();
  let config;
  try {
    config = source() === "room_config"
      ? { room_config: $("room-config").value }
      : { agents: configuredAgents(), floor_policy: $("floor-policy").value };
  } catch (error) {
    showError(error);
    return;
  }
  session = pageSession({ onClosed: () => setRunning(false), closedNotice: "Stopped" });
  setRunning(true);
  try {
    // The room opens the conversation itself once two or more agents are in it.
    await session.start({ url: sessionSocketUrl(rows.dataset.user), config });
  } catch (error) {
    showError(error);
    await session.stop();
    setRunning(false);
  }
}

for (const preset of PRESETS) addAgentRow(preset);
$("add-agent").addEventListener("click", () => addAgentRow());
document.querySelectorAll('input[name="source"]').forEach((radio) => radio.addEventListener("change", () => {
  const useConfig = source() === "room_config";
  $("room-config-field").hidden = !useConfig;
  rows.hidden = useConfig;
  $("add-agent").hidden = useConfig;
  $("floor-policy-field").hidden = useConfig;
}));
$("start").addEventListener("click", start);
$("stop").addEventListener("click", () => session?.stop());
bindMicToggle($("mic"), () => session, { live: "Mute microphone", muted: "Join by voice" });
bindTextForm(() => session);
window.addEventListener("pagehide", () => session?.stop());
