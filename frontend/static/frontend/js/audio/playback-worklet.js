/**
 * AudioWorkletProcessor "pcm-playback": plays a queue of Float32 chunks (already at the context
 * rate) one after another, and tells the main thread what it is doing.
 *
 * Messages in:
 *   {type: "push", samples: Float32Array, tag}  queue a chunk; `tag` (a response item id) lets the
 *                                               page learn how much of each item was heard
 *   {type: "flush"}                             drop everything queued at once (barge-in / cancel)
 *   {type: "status", requestId}                 answer with a "status" report
 * Messages out (all carry queuedSamples, playedSamples, state and the per-tag played counts):
 *   {type: "state", state: "playing" | "idle"}  on every change
 *   {type: "progress"}                          about every 100 ms while playing
 *   {type: "flushed", droppedSamples}           after a flush
 *   {type: "status", requestId}                 answer to "status"
 */
class PcmPlaybackProcessor extends AudioWorkletProcessor {
  constructor() {
    super();
    this.queue = []; // [{samples, offset, tag}]
    this.queuedSamples = 0;
    this.playedSamples = 0;
    this.playedByTag = {};
    this.state = "idle";
    this.sinceProgress = 0;
    this.progressEvery = Math.round(sampleRate / 10);
    this.port.onmessage = (event) => this.onMessage(event.data || {});
  }

  onMessage(msg) {
    if (msg.type === "push") {
      if (msg.samples && msg.samples.length) {
        this.queue.push({ samples: msg.samples, offset: 0, tag: msg.tag ?? "" });
        this.queuedSamples += msg.samples.length;
      }
    } else if (msg.type === "flush") {
      const dropped = this.queuedSamples;
      this.queue = [];
      this.queuedSamples = 0;
      this.report("flushed", { droppedSamples: dropped });
      this.setState("idle");
    } else if (msg.type === "status") {
      this.report("status", { requestId: msg.requestId });
    }
  }

  report(type, extra = {}) {
    this.port.postMessage({
      type, state: this.state, queuedSamples: this.queuedSamples, playedSamples: this.playedSamples,
      playedByTag: { ...this.playedByTag }, sampleRate, ...extra,
    });
  }

  setState(state) {
    if (state === this.state) return;
    this.state = state;
    this.report("state");
  }

  process(_inputs, outputs) {
    const output = outputs[0];
    const out = output[0];
    let written = 0;
    while (written < out.length && this.queue.length) {
      const head = this.queue[0];
      const n = Math.min(out.length - written, head.samples.length - head.offset);
      out.set(head.samples.subarray(head.offset, head.offset + n), written);
      head.offset += n;
      written += n;
      this.queuedSamples -= n;
      this.playedSamples += n;
      this.playedByTag[head.tag] = (this.playedByTag[head.tag] || 0) + n;
      if (head.offset >= head.samples.length) this.queue.shift();
    }
    out.fill(0, written); // underrun: silence, never the previous quantum again
    for (let c = 1; c < output.length; c++) output[c].set(out);
    if (written > 0) {
      this.setState("playing");
      this.sinceProgress += written;
      if (this.sinceProgress >= this.progressEvery) {
        this.sinceProgress = 0;
        this.report("progress");
      }
    } else {
      this.setState("idle");
    }
    return true;
  }
}

registerProcessor("pcm-playback", PcmPlaybackProcessor);
