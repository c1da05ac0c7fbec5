/**
 * PCM16 helpers shared by capture and playback: base64 <-> Int16, Int16 <-> Float32, and a
 * streaming linear resampler. The resampler keeps the last input sample and the fractional read
 * position between chunks, so chunk boundaries neither click nor drift (a resampler restarted per
 * chunk skips the gap between chunks and loses a fraction of a sample every time).
 */

/** Base64 of the little-endian bytes of an Int16Array (what `client_audio_append.audio` holds). */
export function int16ToBase64(int16) {
  const bytes = new Uint8Array(int16.buffer, int16.byteOffset, int16.byteLength);
  let binary = "";
  const step = 0x8000; // String.fromCharCode's argument list has a size limit
  for (let i = 0; i < bytes.length; i += step) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + step));
  }
  return btoa(binary);
}

/** Decode base64 PCM16 (little-endian) into an Int16Array; an odd trailing byte is dropped. */
export function base64ToInt16(b64) {
  const binary = atob(b64);
  const count = binary.length >> 1;
  const out = new Int16Array(count);
  for (let i = 0; i < count; i++) {
    const lo = binary.charCodeAt(2 * i);
    const hi = binary.charCodeAt(2 * i + 1);
    out[i] = (hi << 8) | lo; // Int16Array wraps values >= 0x8000 to negative
  }
  return out;
}

export function int16ToFloat32(int16) {
  const out = new Float32Array(int16.length);
  for (let i = 0; i < int16.length; i++) out[i] = int16[i] / 0x8000;
  return out;
}

export function float32ToInt16(float32) {
  const out = new Int16Array(float32.length);
  for (let i = 0; i < float32.length; i++) {
    const s = Math.max(-1, Math.min(1, float32[i]));
    out[i] = s < 0 ? s * 0x8000 : s * 0x7fff;
  }
  return out;
}

/**
 * Linear interpolation from `fromRate` to `toRate` over a stream of Float32 chunks. Fine for the
 * up-sampling playback does (16/24 kHz -> 44.1/48 kHz); it has no anti-aliasing filter, so it is
 * not used to down-sample.
 */
export class LinearResampler {
  constructor(fromRate, toRate) {
    if (!(Number.isInteger(fromRate) && Number.isInteger(toRate) && fromRate > 0 && toRate > 0)) {
      throw new RangeError(`bad rates ${fromRate} -> ${toRate}`);
    }
    this.fromRate = fromRate;
    this.toRate = toRate;
    // The read position is kept as an integer count of 1/toRate input samples: exact, so a stream
    // cut into chunks yields exactly the samples of the same stream in one piece.
    this.position = 0; // relative to the current chunk's first sample; negative = previous chunk
    this.previous = 0; // the last sample of the previous chunk (position -toRate)
  }

  process(input) {
    if (this.fromRate === this.toRate) return input;
    const n = input.length;
    if (n === 0) return new Float32Array(0);
    const { fromRate, toRate } = this;
    const last = (n - 1) * toRate;
    const out = new Float32Array(Math.max(0, Math.floor((last - this.position) / fromRate) + 1));
    let written = 0;
    let p = this.position;
    while (p <= last) {
      const i = Math.floor(p / toRate);
      const frac = (p - i * toRate) / toRate;
      const a = i < 0 ? this.previous : input[i];
      const b = i + 1 < n ? input[i + 1] : a; // p == last exactly: frac is 0
      out[written++] = a + (b - a) * frac;
      p += fromRate;
    }
    this.position = p - n * toRate;
    this.previous = input[n - 1];
    return out.subarray(0, written);
  }
}
