import { parseServerMessage, type ClientMessage, type ServerMessage, type VoiceTicket } from './protocol'

/**
 * The LiveKit room in the WebSocket's place, when the token endpoint answers with LiveKit: the
 * microphone is published as a track, the agent's audio track plays through an audio element, and
 * what can be mapped onto the protocol's messages is: JSON data packets (the agent may send the same
 * messages as the WebSocket), the learner's transcription segments, and who is speaking. Turn-taking
 * and barge-in happen in the agent. Loaded on demand: livekit-client stays out of the page otherwise.
 */

export interface VoiceLink {
  sendJson(message: ClientMessage): void
  setMicrophone(track: MediaStreamTrack | null): void
  close(): void
}

export interface VoiceLinkHandlers {
  onMessage(message: ServerMessage): void
  onStatus(status: 'connected' | 'reconnecting' | 'disconnected'): void
}

/** The data packets' topic, both ways. */
export const LIVEKIT_TOPIC = 'avaaz'

export async function connectLiveKit(ticket: Extract<VoiceTicket, { transport: 'livekit' }>, handlers: VoiceLinkHandlers): Promise<VoiceLink> {
  const { Room, RoomEvent, Track } = await import('livekit-client')
  const room = new Room({ adaptiveStream: false, dynacast: false })
  const elements = new Set<HTMLMediaElement>()
  let closing = false
  let published: MediaStreamTrack | null = null
  let agentSpeaking = false
  const decoder = new TextDecoder()
  const encoder = new TextEncoder()

  room
    .on(RoomEvent.TrackSubscribed, (track) => {
      if (track.kind !== Track.Kind.Audio) return
      const element = track.attach()
      element.hidden = true
      document.body.append(element)
      elements.add(element)
    })
    .on(RoomEvent.TrackUnsubscribed, (track) => {
      for (const element of track.detach()) {
        element.remove()
        elements.delete(element)
      }
    })
    .on(RoomEvent.DataReceived, (payload, _participant, _kind, topic) => {
      if (topic && topic !== LIVEKIT_TOPIC) return
      const message = parseServerMessage(decoder.decode(payload))
      if (message) handlers.onMessage(message)
    })
    .on(RoomEvent.TranscriptionReceived, (segments, participant) => {
      if (participant !== room.localParticipant) return
      for (const segment of segments) handlers.onMessage({ type: 'transcript', text: segment.text, final: segment.final })
    })
    .on(RoomEvent.ActiveSpeakersChanged, (speakers) => {
      const speaking = speakers.some((speaker) => speaker !== room.localParticipant)
      if (speaking === agentSpeaking) return
      agentSpeaking = speaking
      handlers.onMessage({ type: 'speech', event: speaking ? 'start' : 'end', interrupted: false })
    })
    .on(RoomEvent.Reconnecting, () => handlers.onStatus('reconnecting'))
    .on(RoomEvent.Reconnected, () => handlers.onStatus('connected'))
    .on(RoomEvent.Disconnected, () => {
      for (const element of elements) element.remove()
      elements.clear()
      if (!closing) handlers.onStatus('disconnected')
    })

  await room.connect(ticket.url, ticket.token)

  async function publish(track: MediaStreamTrack | null) {
    if (published === track) return
    if (published) await room.localParticipant.unpublishTrack(published, false).catch(() => undefined)
    published = track
    if (track) await room.localParticipant.publishTrack(track, { source: Track.Source.Microphone }).catch(() => undefined)
  }

  return {
    sendJson(message) {
      if (message.type === 'hello') return
      void room.localParticipant.publishData(encoder.encode(JSON.stringify(message)), { reliable: true, topic: LIVEKIT_TOPIC }).catch(() => undefined)
    },
    setMicrophone(track) {
      void publish(track)
    },
    close() {
      closing = true
      void room.disconnect()
    },
  }
}
