import { type IncomingMessage, type Server, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WavStreamReader } from '../wav.js'

export interface TranscriptionRequest {
  authorization: string | undefined
  model: string
  language: string
  responseFormat: string
  fileName: string
  sampleRate: number
  channels: number
  durationMs: number
  samples: Int16Array
}

export type TranscriptionReply = { text: string; words?: { word: string; start: number; end: number }[] } | { status: number; body: string }

/**
 * A local server speaking OpenAI's audio protocol: `POST /v1/audio/transcriptions` (multipart in,
 * JSON out; every WAV received is parsed and kept) and `POST /v1/audio/speech` (JSON in, raw 24 kHz
 * PCM16 out, here a tone).
 */
export class FakeOpenAI {
  readonly transcriptions: TranscriptionRequest[] = []
  readonly speechRequests: Record<string, unknown>[] = []
  transcribe: (request: TranscriptionRequest, index: number) => TranscriptionReply | Promise<TranscriptionReply> = () => ({ text: 'Hei.' })
  speechStatus = 200
  #server: Server

  constructor() {
    this.#server = createServer((request, response) => {
      void this.#handle(request)
        .then(({ status, body, type }) => {
          response.writeHead(status, { 'content-type': type })
          response.end(body)
        })
        .catch((error: unknown) => {
          response.writeHead(400, { 'content-type': 'application/json' })
          response.end(JSON.stringify({ error: { message: error instanceof Error ? error.message : String(error) } }))
        })
    })
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve))
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/v1`
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections()
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }

  async #handle(request: IncomingMessage): Promise<{ status: number; body: string | Buffer; type: string }> {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks)
    if (request.method === 'POST' && request.url === '/v1/audio/transcriptions') {
      const form = await new Response(body, { headers: { 'content-type': request.headers['content-type'] ?? '' } }).formData()
      const file = form.get('file')
      if (!(file instanceof Blob)) throw new Error('no file part')
      const reader = new WavStreamReader()
      const samples = reader.push(Buffer.from(await file.arrayBuffer()))
      const format = reader.format
      if (!format) throw new Error('file is not a WAV')
      const received: TranscriptionRequest = {
        authorization: request.headers.authorization,
        model: String(form.get('model')),
        language: String(form.get('language')),
        responseFormat: String(form.get('response_format')),
        fileName: (file as File).name,
        sampleRate: format.sampleRate,
        channels: format.channels,
        durationMs: (samples.length / format.sampleRate) * 1000,
        samples,
      }
      this.transcriptions.push(received)
      const reply = await this.transcribe(received, this.transcriptions.length - 1)
      if ('status' in reply) return { status: reply.status, body: reply.body, type: 'application/json' }
      return { status: 200, body: JSON.stringify(reply), type: 'application/json' }
    }
    if (request.method === 'POST' && request.url === '/v1/audio/speech') {
      const json = JSON.parse(body.toString()) as Record<string, unknown>
      this.speechRequests.push(json)
      if (this.speechStatus !== 200) return { status: this.speechStatus, body: '{"error":{"message":"no"}}', type: 'application/json' }
      // 0.5 s of a 440 Hz tone per request, as raw PCM16 at 24 kHz.
      const pcm = Buffer.alloc(24_000)
      for (let index = 0; index < 12_000; index++) pcm.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * index) / 24_000)), index * 2)
      return { status: 200, body: pcm, type: 'application/octet-stream' }
    }
    return { status: 404, body: '{}', type: 'application/json' }
  }
}
