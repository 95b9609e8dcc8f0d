/*
 * Avaaz's microphone worklet: collects the audio thread's 128-sample render quanta into chunks of about
 * 20 ms (channel 0, at the context's sample rate) and posts them to the page, which downsamples them to
 * the voice protocol's 16 kHz PCM16 (src/lib/voice/pcm.ts, where the arithmetic is tested). The audio
 * thread does the least it can: copying, never allocating per quantum except the chunk it hands over.
 *
 * A file under public/ rather than a blob: URL, because the page's Content-Security-Policy is strict
 * (app/backend/src/web/next-app.ts) and a worklet module is a script.
 */
/* global AudioWorkletProcessor, registerProcessor, sampleRate */

const CHUNK_MS = 20

class MicCaptureProcessor extends AudioWorkletProcessor {
  constructor() {
    super()
    this.size = Math.max(128, Math.round((sampleRate * CHUNK_MS) / 1000))
    this.chunk = new Float32Array(this.size)
    this.filled = 0
    this.running = true
    this.port.onmessage = (event) => {
      if (event.data === 'stop') this.running = false
    }
  }

  process(inputs) {
    if (!this.running) return false
    const channel = inputs[0] && inputs[0][0]
    // No input yet (the source is still starting) or a disconnected device: nothing to send.
    if (!channel) return true
    let offset = 0
    while (offset < channel.length) {
      const take = Math.min(channel.length - offset, this.size - this.filled)
      this.chunk.set(channel.subarray(offset, offset + take), this.filled)
      this.filled += take
      offset += take
      if (this.filled === this.size) {
        this.port.postMessage(this.chunk, [this.chunk.buffer])
        this.chunk = new Float32Array(this.size)
        this.filled = 0
      }
    }
    return true
  }
}

registerProcessor('avaaz-mic-capture', MicCaptureProcessor)
