/**
 * Microphone capture through the "pcm-capture" AudioWorklet.
 *
 *   const mic = await startCapture({ onChunk: (pcm16, rate) => client.appendAudio(pcm16, rate) });
 *   mic.sampleRate; mic.setMuted(true); await mic.stop();
 *
 * The AudioContext runs at the device's own rate (no forced 16 kHz as in AgentScope's page), and
 * that real rate goes with every chunk. Echo cancellation and noise suppression are requested so
 * the agent's voice from the speakers does not come back as a barge-in.
 */

const WORKLET_URL = new URL("./capture-worklet.js", import.meta.url);

export async function startCapture({ onChunk, chunkMs = 20, constraints = {} } = {}) {
  if (typeof onChunk !== "function") throw new TypeError("startCapture needs an onChunk callback");
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new Error("This browser cannot capture audio here (a secure origin, https or localhost, is required).");
  }
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: { echoCancellation: true, noiseSuppression: true, ...constraints },
  });
  const context = new AudioContext();
  try {
    await context.audioWorklet.addModule(WORKLET_URL);
    const source = context.createMediaStreamSource(stream);
    const node = new AudioWorkletNode(context, "pcm-capture", {
      numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [1], processorOptions: { chunkMs },
    });
    // A silent path to the destination keeps the graph pulled in every browser.
    const sink = context.createGain();
    sink.gain.value = 0;
    source.connect(node).connect(sink).connect(context.destination);
    node.port.onmessage = (event) => {
      if (event.data?.type === "chunk") onChunk(new Int16Array(event.data.pcm), event.data.rate);
    };
    if (context.state === "suspended") await context.resume();
    return new Capture(context, stream, source, node);
  } catch (error) {
    stream.getTracks().forEach((t) => t.stop());
    await context.close();
    throw error;
  }
}

class Capture {
  constructor(context, stream, source, node) {
    this.context = context;
    this.stream = stream;
    this.source = source;
    this.node = node;
    this.muted = false;
  }

  get sampleRate() {
    return this.context.sampleRate;
  }

  setMuted(muted) {
    this.muted = Boolean(muted);
    // Disabling the track also turns off the browser's recording indicator light.
    this.stream.getAudioTracks().forEach((t) => { t.enabled = !this.muted; });
    this.node.port.postMessage({ type: "mute", muted: this.muted });
  }

  /** Post whatever is buffered (less than one chunk) right away. */
  flush() {
    this.node.port.postMessage({ type: "flush" });
  }

  async stop() {
    this.node.port.onmessage = null;
    this.stream.getTracks().forEach((t) => t.stop());
    this.source.disconnect();
    this.node.disconnect();
    if (this.context.state !== "closed") await this.context.close();
  }
}
