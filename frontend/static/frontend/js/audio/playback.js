/**
 * Agent audio playback through the "pcm-playback" AudioWorklet.
 *
 *   const player = await createPlayer({ onState: (s) => ..., onProgress: (report) => ... });
 *   player.enqueue(base64Pcm16, format.rate, itemId);   // resampled to the context rate
 *   const report = await player.flush();                 // barge-in: silence now
 *   player.playedMs(itemId);                             // what the listener actually heard
 *
 * Each tag (response item) gets its own resampler so its stream is continuous across chunks;
 * a new item starts a fresh one.
 */

import { base64ToInt16, int16ToFloat32, LinearResampler } from "./pcm.js";

const WORKLET_URL = new URL("./playback-worklet.js", import.meta.url);

export async function createPlayer({ onState = () => {}, onProgress = () => {} } = {}) {
  const context = new AudioContext();
  try {
    await context.audioWorklet.addModule(WORKLET_URL);
    const node = new AudioWorkletNode(context, "pcm-playback", {
      numberOfInputs: 0, numberOfOutputs: 1, outputChannelCount: [1],
    });
    node.connect(context.destination);
    return new Player(context, node, onState, onProgress);
  } catch (error) {
    await context.close();
    throw error;
  }
}

class Player {
  constructor(context, node, onState, onProgress) {
    this.context = context;
    this.node = node;
    this.onState = onState;
    this.onProgress = onProgress;
    this.resamplers = new Map();
    this.last = { state: "idle", queuedSamples: 0, playedSamples: 0, playedByTag: {} };
    this.pending = new Map(); // requestId -> resolve, for status() and flush()
    this.nextRequest = 1;
    node.port.onmessage = (event) => this.onMessage(event.data);
  }

  get sampleRate() {
    return this.context.sampleRate;
  }

  get state() {
    return this.last.state;
  }

  onMessage(report) {
    this.last = report;
    if (report.type === "state") this.onState(report.state, report);
    if (report.type === "progress" || report.type === "flushed") this.onProgress(report);
    const key = report.type === "flushed" ? "flush" : report.requestId;
    const waiting = this.pending.get(key);
    if (waiting) {
      this.pending.delete(key);
      waiting.forEach((resolve) => resolve(report));
    }
  }

  /** Queue one chunk: base64 PCM16 or an Int16Array, at `rate` (the event's `format.rate`). */
  enqueue(pcm, rate, tag = "") {
    if (!(rate > 0)) throw new RangeError(`audio chunk without a valid rate: ${rate}`);
    const int16 = typeof pcm === "string" ? base64ToInt16(pcm) : pcm;
    let resampler = this.resamplers.get(tag);
    if (!resampler || resampler.fromRate !== rate) {
      resampler = new LinearResampler(rate, this.context.sampleRate);
      this.resamplers.set(tag, resampler);
    }
    const samples = resampler.process(int16ToFloat32(int16));
    if (this.context.state === "suspended") this.context.resume();
    this.node.port.postMessage({ type: "push", samples, tag }, [samples.buffer]);
  }

  /** Forget a finished item's resampler state (its remaining audio still plays). */
  endTag(tag) {
    this.resamplers.delete(tag);
  }

  /** Drop all queued audio now; resolves with the worklet's report once it is silent. */
  flush() {
    this.resamplers.clear();
    const done = this.wait("flush");
    this.node.port.postMessage({ type: "flush" });
    return done;
  }

  /** The worklet's current counters (queued and played samples, per-tag played samples). */
  status() {
    const requestId = this.nextRequest++;
    const done = this.wait(requestId);
    this.node.port.postMessage({ type: "status", requestId });
    return done;
  }

  wait(key) {
    return new Promise((resolve) => {
      const waiting = this.pending.get(key) || [];
      waiting.push(resolve);
      this.pending.set(key, waiting);
    });
  }

  /** Milliseconds of `tag` played so far, from the latest report. */
  playedMs(tag) {
    return Math.round(((this.last.playedByTag?.[tag] || 0) * 1000) / this.context.sampleRate);
  }

  async close() {
    this.node.port.onmessage = null;
    this.node.disconnect();
    for (const waiting of this.pending.values()) waiting.forEach((resolve) => resolve(this.last));
    this.pending.clear();
    if (this.context.state !== "closed") await this.context.close();
  }
}
