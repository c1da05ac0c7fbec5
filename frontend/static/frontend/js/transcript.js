/**
 * A live transcript: one bubble per response item with the agent's name in its own colour,
 * deltas appended as they stream, closed on `agent_response_audio_transcript_done`; the user's
 * transcription shown once (deltas, then replaced — not appended — by the final text); tool calls
 * and results inline. All text goes in through textContent, never as HTML.
 *
 *   const transcript = new Transcript(document.getElementById("transcript"));
 *   client.on("*", (ev) => transcript.handle(ev));
 *   transcript.addUserText("hello");
 */

const PALETTE = ["#2557d6", "#b4236d", "#18794e", "#a15c07", "#6e3bd6", "#0f7c8c", "#c2410c", "#4d7c0f"];

export class Transcript {
  constructor(list, { userName = "You" } = {}) {
    this.list = list;
    this.userName = userName;
    this.bubbles = new Map(); // key -> {li, text, open}
    this.colours = new Map(); // agent key -> colour
  }

  colourFor(event) {
    const key = event.agent_name || event.agent_id || "agent";
    if (!this.colours.has(key)) this.colours.set(key, PALETTE[this.colours.size % PALETTE.length]);
    return this.colours.get(key);
  }

  bubble(key, { kind, speaker, colour }) {
    let bubble = this.bubbles.get(key);
    if (bubble) return bubble;
    const li = document.createElement("li");
    li.className = `bubble ${kind} open`;
    li.dataset.key = key;
    if (colour) li.style.setProperty("--agent-colour", colour);
    const name = document.createElement("span");
    name.className = "speaker";
    name.textContent = speaker;
    const text = document.createElement("span");
    text.className = "text";
    li.append(name, text);
    this.list.append(li);
    bubble = { li, text, open: true };
    this.bubbles.set(key, bubble);
    this.scroll();
    return bubble;
  }

  close(bubble) {
    bubble.open = false;
    bubble.li.classList.remove("open");
  }

  scroll() {
    // Follow the conversation unless the reader scrolled up to read something.
    const el = this.list;
    if (el.scrollHeight - el.scrollTop - el.clientHeight < 80) el.scrollTop = el.scrollHeight;
  }

  agentBubble(event) {
    return this.bubble(`agent:${event.item_id || event.response_id}`, {
      kind: "agent", speaker: event.agent_name || "Agent", colour: this.colourFor(event),
    });
  }

  handle(event) {
    switch (event.type) {
      case "agent_response_audio_transcript_delta": {
        const bubble = this.agentBubble(event);
        bubble.text.textContent += event.delta || "";
        this.scroll();
        break;
      }
      case "agent_response_audio_transcript_done": {
        const bubble = this.agentBubble(event);
        // Our server adds the full text; AgentScope's done event has none, so keep the deltas then.
        if (typeof event.transcript === "string" && event.transcript) bubble.text.textContent = event.transcript;
        this.close(bubble);
        break;
      }
      case "agent_input_transcription_delta": {
        const bubble = this.userBubble(event.item_id);
        bubble.text.textContent += event.delta || "";
        this.scroll();
        break;
      }
      case "agent_input_transcription_done": {
        const bubble = this.userBubble(event.item_id);
        // The final text replaces the deltas: a provider sending both must not show it twice.
        bubble.text.textContent = event.transcript ?? bubble.text.textContent;
        this.close(bubble);
        break;
      }
      case "agent_response_tool_use_delta":
      case "agent_response_tool_use_done":
        this.toolUse(event);
        break;
      case "agent_response_tool_result":
        this.toolResult(event);
        break;
      default:
    }
  }

  userBubble(itemId) {
    // In a multi-agent room every agent may transcribe the same user turn: one bubble per item.
    return this.bubble(`user:${itemId}`, { kind: "user", speaker: this.userName });
  }

  toolUse(event) {
    const tool = event.tool_use || {};
    const bubble = this.bubble(`tool:${tool.id || event.item_id}`, {
      kind: "tool", speaker: `${event.agent_name || "Agent"} calls a tool`, colour: this.colourFor(event),
    });
    const args = tool.raw_input ?? JSON.stringify(tool.input ?? {});
    bubble.text.textContent = `${tool.name || "tool"}(${args})`;
    if (event.type === "agent_response_tool_use_done") this.close(bubble);
  }

  toolResult(event) {
    const result = event.tool_result || {};
    const bubble = this.bubble(`result:${result.id}`, {
      kind: "tool", speaker: `${result.name || "tool"} result`, colour: this.colourFor(event),
    });
    bubble.text.textContent = outputText(result.output);
    this.close(bubble);
  }

  /** Something the person typed (shown at once; the server does not echo client events). */
  addUserText(text) {
    const bubble = this.bubble(`typed:${crypto.randomUUID()}`, { kind: "user", speaker: this.userName });
    bubble.text.textContent = text;
    this.close(bubble);
  }

  /** A client tool the page answered itself. */
  addClientToolResult(name, output) {
    const bubble = this.bubble(`client-result:${crypto.randomUUID()}`, { kind: "tool", speaker: `${name} result (this browser)` });
    bubble.text.textContent = outputText(output);
    this.close(bubble);
  }

  notice(text) {
    const bubble = this.bubble(`notice:${crypto.randomUUID()}`, { kind: "notice", speaker: "" });
    bubble.text.textContent = text;
    this.close(bubble);
  }
}

function outputText(output) {
  if (typeof output === "string") return output;
  if (Array.isArray(output)) {
    return output.map((block) => (block?.type === "text" ? block.text : `[${block?.type || "block"}]`)).join("\n");
  }
  return JSON.stringify(output);
}
