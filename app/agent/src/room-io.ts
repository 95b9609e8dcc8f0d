import {
  AudioFrame,
  AudioSource,
  AudioStream,
  LocalAudioTrack,
  RoomEvent,
  TrackKind,
  TrackPublishOptions,
  TrackSource,
  type RemoteParticipant,
  type RemoteTrack,
  type Room,
} from '@livekit/rtc-node'
import type { AudioIn, AudioOut, ClientChannel } from './job.js'
import { PushQueue } from './queue.js'

/** The data topic the browser and the agent exchange the protocol's JSON messages on (app/frontend/src/lib/voice/livekit-link.ts). */
export const VOICE_DATA_TOPIC = 'avaaz'
/** Microphone audio as the pipeline gets it: 16 kHz mono in 100 ms frames (the spike's cheapest setting for VAD). */
const INPUT_SAMPLE_RATE = 16_000
const INPUT_FRAME_MS = 100
const OUTPUT_SAMPLE_RATE = 24_000

export interface RoomIo {
  audioIn: AudioIn
  audioOut: AudioOut
  client: ClientChannel
  /** Aborted when the learner disconnects or the agent loses the room. */
  learnerLeft: AbortSignal
  close(): Promise<void>
}

/**
 * The room seen from the job: the learner's microphone track (followed when it is republished), the
 * tutor's own audio track, and the data channel with the learner only. Not covered by tests here (no
 * LiveKit server can run on this machine); the job behind it is.
 */
export async function connectRoomIo(room: Room, learner: RemoteParticipant): Promise<RoomIo> {
  const local = room.localParticipant
  if (!local) throw new Error('The agent is not connected to the room.')
  const left = new AbortController()
  const frames = new PushQueue<Int16Array>(50)
  const messages = new PushQueue<unknown>(200)
  let current: ReadableStreamDefaultReader<AudioFrame> | undefined

  const listen = (track: RemoteTrack) => {
    void current?.cancel().catch(() => {})
    const reader = new AudioStream(track, { sampleRate: INPUT_SAMPLE_RATE, numChannels: 1, frameSizeMs: INPUT_FRAME_MS }).getReader()
    current = reader
    void (async () => {
      for (;;) {
        const { value, done } = await reader.read()
        if (done || current !== reader) break
        frames.push(value.data)
      }
    })().catch(() => {})
  }
  for (const publication of learner.trackPublications.values()) {
    if (publication.track && publication.kind === TrackKind.KIND_AUDIO) listen(publication.track as RemoteTrack)
  }
  const onTrack = (track: RemoteTrack, _publication: unknown, participant: RemoteParticipant) => {
    if (participant.identity === learner.identity && track.kind === TrackKind.KIND_AUDIO) listen(track)
  }
  const decoder = new TextDecoder()
  const onData = (payload: Uint8Array, participant?: RemoteParticipant, _kind?: unknown, topic?: string) => {
    if (topic !== VOICE_DATA_TOPIC || participant?.identity !== learner.identity) return
    try {
      messages.push(JSON.parse(decoder.decode(payload)) as unknown)
    } catch {
      messages.push(null)
    }
  }
  const onParticipantLeft = (participant: RemoteParticipant) => {
    if (participant.identity === learner.identity) left.abort()
  }
  const onRoomGone = () => left.abort()
  room.on(RoomEvent.TrackSubscribed, onTrack)
  room.on(RoomEvent.DataReceived, onData)
  room.on(RoomEvent.ParticipantDisconnected, onParticipantLeft)
  room.on(RoomEvent.Disconnected, onRoomGone)
  left.signal.addEventListener('abort', () => {
    frames.close()
    messages.close()
  })

  const source = new AudioSource(OUTPUT_SAMPLE_RATE, 1)
  const track = LocalAudioTrack.createAudioTrack('tutor', source)
  await local.publishTrack(track, new TrackPublishOptions({ source: TrackSource.SOURCE_MICROPHONE }))

  // Frames go out in order; a barge-in drops whatever is still waiting.
  let generation = 0
  let chain = Promise.resolve()
  const audioOut: AudioOut = {
    sampleRate: OUTPUT_SAMPLE_RATE,
    write(frame) {
      const mine = generation
      chain = chain
        .then(() => (mine === generation ? source.captureFrame(new AudioFrame(frame, OUTPUT_SAMPLE_RATE, 1, frame.length)) : undefined))
        .catch(() => {})
    },
    clear() {
      generation += 1
      source.clearQueue()
    },
  }

  const encoder = new TextEncoder()
  let sending = Promise.resolve()
  const client: ClientChannel = {
    messages,
    send(message) {
      const bytes = encoder.encode(JSON.stringify(message))
      sending = sending
        .then(() => local.publishData(bytes, { reliable: true, topic: VOICE_DATA_TOPIC, destination_identities: [learner.identity] }))
        .catch(() => {})
    },
  }

  return {
    audioIn: { sampleRate: INPUT_SAMPLE_RATE, frames },
    audioOut,
    client,
    learnerLeft: left.signal,
    async close() {
      left.abort()
      room.off(RoomEvent.TrackSubscribed, onTrack)
      room.off(RoomEvent.DataReceived, onData)
      room.off(RoomEvent.ParticipantDisconnected, onParticipantLeft)
      room.off(RoomEvent.Disconnected, onRoomGone)
      await current?.cancel().catch(() => {})
      await source.close().catch(() => {})
    },
  }
}
