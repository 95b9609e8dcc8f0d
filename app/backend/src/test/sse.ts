/** One Server-Sent Event as a client sees it. */
export interface ServerSentEvent {
  event: string
  // Tests read whichever fields the event has; its shape is checked by the assertions.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  data: any
}

/** Parses a whole text/event-stream body (event + JSON data lines). */
export function parseServerSentEvents(body: string): ServerSentEvent[] {
  return body
    .split('\n\n')
    .filter((block) => block.trim())
    .map((block) => {
      const lines = block.split('\n')
      const event = lines.find((line) => line.startsWith('event: '))?.slice(7) ?? 'message'
      const data = lines
        .filter((line) => line.startsWith('data: '))
        .map((line) => line.slice(6))
        .join('\n')
      return { event, data: JSON.parse(data) }
    })
}
