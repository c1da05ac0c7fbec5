/**
 * One voice conversation as the pages run it: the realtime client, ordered playback, the
 * microphone, the transcript and client tools, wired together once so the three pages only add
 * their own controls.
 *
 * Barge-in: on `agent_input_started` while this page's microphone is live (the server heard the
 * person start speaking) and on `agent_response_cancelled` (the server stopped a response: a
 * barge-in it detected, a cancel, a floor change) the cancelled response's queued audio is flushed
 * at once. When the person interrupts audible
 * audio, the page sends `client_response_cancel` with `item_id` and `audio_end_ms` (the
 * milliseconds of that item actually played), so the server can trim the agent's context to what
 * was heard. Client tools are answered with `client_tool_result`. Nothing here sends silence to
 * keep a conversation going: turn-taking between agents is the server's job.
 */

import { startCapture } from "./audio/capture.js";
import { createPlayer } from "./audio/playback.js";
import { ResponseSequencer } from "./audio/sequencer.js";
import { RealtimeClient } from "./realtime-client.js";

export const FLUSH_EVENT = "agent_response_cancelled";
const STOPPED_STATUSES = new Set(["cancelled", "interrupted", "failed"]);

export class VoiceSession {
  /**
   * @param {object} options
   * @param {import("./transcript.js").Transcript} options.transcript
   * @param {Record<string, (input: object) => unknown>} [options.clientTools] name -> handler
   * @param {(state: string) => void} [options.onConnection] "connecting" | "connected" | "closed"
   * @param {(state: string, event: object) => void} [options.onAgentState] listening | thinking | speaking
   * @param {(state: string, event: object) => void} [options.onInput] "speaking" | "heard": the server's VAD
   * @param {(state: string) => void} [options.onPlayback] "playing" | "idle"
   * @param {(error: object) => void} options.onError
   */
  constructor({ transcript, clientTools = {}, onConnection = () => {}, onAgentState = () => {},
                onInput = () => {}, onPlayback = () => {}, onError }) {
    this.transcript = transcript;
    this.clientTools = clientTools;
    this.onConnection = onConnection;
    this.onAgentState = onAgentState;
    this.onInput = onInput;
    this.onPlayback = onPlayback;
    this.onError = onError;
    this.client = new RealtimeClient();
    this.player = null;
    this.sequencer = null;
    this.mic = null;
    this.speaking = false; // the server heard the person start a turn it has not closed yet
    this.wire();
  }

  wire() {
    const c = this.client;
    c.on("error", (error) => this.onError(error));
    c.on("close", (info) => {
      this.onConnection("closed", info);
      this.teardownMedia();
    });
    c.on("*", (event) => this.transcript.handle(event));
    c.on("agent_state_changed", (event) => this.onAgentState(event.new_state, event));
    c.on("agent_input_done", (event) => {
      this.speaking = false;
      this.onInput("heard", event);
    });
    c.on("agent_response_created", (event) => this.sequencer?.created(event.response_id, event.agent_id));
    c.on("agent_response_audio_delta", (event) => this.playAudio(event));
    c.on("agent_response_audio_done", (event) => this.sequencer?.done(event.response_id));
    c.on("agent_response_done", (event) => this.responseDone(event));
    c.on("agent_ended", (event) => this.sequencer?.dropAgent(event.agent_id));
    c.on("agent_input_started", (event) => {
      this.speaking = true;
      this.onInput("speaking", event);
      // Only this person's own speech interrupts here. In a room, agents hear each other and
      // other people; the server cancels those responses itself (FLUSH_EVENT).
      if (this.mic && !this.mic.muted) this.bargeIn({ tellServer: true });
    });
    c.on(FLUSH_EVENT, (event) => this.responseCancelled(event));
    c.on("agent_response_tool_use_done", (event) => this.answerClientTool(event));
  }

  /** Connect, prepare playback and create the session; resolves with `server_session_created`. */
  async start({ url, config = {} }) {
    this.onConnection("connecting");
    // The player first: its AudioContext is created inside the click that started the session.
    this.player = await createPlayer({ onState: (state) => this.onPlayback(state) });
    this.sequencer = new ResponseSequencer(this.player);
    try {
      await this.client.connect(url);
      this.onConnection("connected");
      return await this.client.createSession(config);
    } catch (error) {
      this.client.close();
      await this.teardownMedia();
      this.onConnection("closed");
      throw error;
    }
  }

  playAudio(event) {
    if (!this.sequencer) return;
    if (!(event.format?.rate > 0)) {
      this.onError({ source: "protocol", code: "audio_without_rate", message: "audio delta without format.rate", event });
      return;
    }
    this.sequencer.audio(event);
  }

  responseDone(event) {
    const status = event.status || event.metadata?.status;
    const current = this.sequencer?.current();
    if (STOPPED_STATUSES.has(status) && current?.responseId === event.response_id) {
      this.sequencer.flush();
    }
    this.sequencer?.done(event.response_id);
  }

  /** The server stopped a response: drop its queued audio if it is the one playing, forget it otherwise. */
  responseCancelled(event) {
    return this.sequencer?.cancel(event.response_id);
  }

  /** Stop playback now; when the person interrupted audible audio, say how much was heard. */
  async bargeIn({ tellServer }) {
    if (!this.sequencer) return;
    const current = this.sequencer.current();
    const report = await this.sequencer.flush();
    if (!tellServer || !current || !this.client.connected) return;
    const itemId = [...current.itemIds].pop();
    if (!itemId) return;
    const audioEndMs = Math.round(((report.playedByTag?.[itemId] || 0) * 1000) / report.sampleRate);
    this.client.cancelResponse({ response_id: current.responseId, item_id: itemId, audio_end_ms: audioEndMs });
  }

  async answerClientTool(event) {
    const tool = event.tool_use || {};
    const handler = this.clientTools[tool.name];
    if (!handler) return; // a server-side tool: the server runs it
    let output;
    try {
      const input = tool.input ?? (tool.raw_input ? JSON.parse(tool.raw_input) : {});
      output = await handler(input);
    } catch (error) {
      output = { error: String(error?.message || error) };
    }
    this.transcript.addClientToolResult(tool.name, output);
    this.client.sendToolResult(tool.id, tool.name, output);
  }

  /** Typed text; typing while the agent speaks interrupts it, as speaking would. */
  async sendText(text) {
    await this.bargeIn({ tellServer: true });
    this.client.sendText(text);
    this.transcript.addUserText(text);
  }

  async startMic() {
    if (this.mic) return this.mic;
    this.mic = await startCapture({
      onChunk: (pcm, rate) => {
        if (!this.client.connected) return;
        try {
          this.client.appendAudio(pcm, rate);
        } catch (error) {
          this.onError({ source: "client", code: "send_failed", message: error.message });
        }
      },
    });
    return this.mic;
  }

  setMuted(muted) {
    if (!this.mic) return;
    this.mic.setMuted(muted);
    // Muting mid-turn ends the turn: a server waiting for silence would otherwise wait forever.
    // Outside a turn there is nothing to commit (the server would answer with an error).
    if (muted && this.speaking && this.client.connected) this.client.commitAudio();
  }

  async stopMic() {
    const mic = this.mic;
    this.mic = null;
    if (mic) await mic.stop();
  }

  async teardownMedia() {
    await this.stopMic();
    const player = this.player;
    this.player = null;
    this.sequencer = null;
    if (player) await player.close();
  }

  /** End the session politely, then close everything this session opened. */
  async stop() {
    if (this.client.connected) {
      try {
        if (this.client.sessionId) this.client.endSession();
      } finally {
        this.client.close();
      }
    }
    await this.teardownMedia();
  }
}
