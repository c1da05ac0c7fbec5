/**
 * AudioWorkletProcessor "pcm-capture": mixes the microphone input to mono, converts Float32 to
 * PCM16 and posts fixed-size chunks (`chunkMs`, default 20 ms) to the main thread as
 * `{type: "chunk", pcm: ArrayBuffer, rate: sampleRate}`. `rate` is the context's real rate; the
 * page declares it in every `client_audio_append` and the server resamples.
 *
 * Messages in: `{type: "mute", muted}` (a muted mic posts nothing, not silence),
 * `{type: "flush"}` (post the partial chunk now, e.g. before a manual commit).
 */
class PcmCaptureProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const chunkMs = options?.processorOptions?.chunkMs ?? 20;
    this.size = Math.max(1, Math.round((sampleRate * chunkMs) / 1000));
    this.buffer = new Int16Array(this.size);
    this.fill = 0;
    this.muted = false;
    this.port.onmessage = (event) => {
      const msg = event.data || {};
      if (msg.type === "mute") {
        this.muted = Boolean(msg.muted);
        if (this.muted) this.fill = 0; // half a chunk from before muting is not worth sending late
      } else if (msg.type === "flush") {
        this.post(this.fill);
      }
    };
  }

  post(length) {
    if (length === 0) return;
    const pcm = length === this.size ? this.buffer : this.buffer.slice(0, length);
    this.port.postMessage({ type: "chunk", pcm: pcm.buffer, rate: sampleRate }, [pcm.buffer]);
    this.buffer = new Int16Array(this.size);
    this.fill = 0;
  }

  process(inputs) {
    const channels = inputs[0];
    if (this.muted || !channels || channels.length === 0) return true;
    const frames = channels[0].length;
    const gain = 1 / channels.length;
    for (let i = 0; i < frames; i++) {
      let s = 0;
      for (let c = 0; c < channels.length; c++) s += channels[c][i];
      s = Math.max(-1, Math.min(1, s * gain));
      this.buffer[this.fill++] = s < 0 ? s * 0x8000 : s * 0x7fff;
      if (this.fill === this.size) this.post(this.size);
    }
    return true;
  }
}

registerProcessor("pcm-capture", PcmCaptureProcessor);
