import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'

const file = fileURLToPath(new URL('../../../../../infra/livekit.yaml', import.meta.url))

describe('infra/livekit.yaml', () => {
  const config = parse(readFileSync(file, 'utf8'), { strict: true, uniqueKeys: true }) as Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

  it('listens for signalling on 7880 and for WebRTC over TCP on 7881, with UDP media on 60000–60100', () => {
    expect(config.port).toBe(7880)
    expect(config.rtc.tcp_port).toBe(7881)
    expect(config.rtc.port_range_start).toBe(60000)
    expect(config.rtc.port_range_end).toBe(60100)
    expect(config.rtc.port_range_end).toBeGreaterThan(config.rtc.port_range_start)
  })

  it('keeps secrets out of the file: keys and the webhook key come from the environment', () => {
    expect(config).not.toHaveProperty('keys')
    expect(config).not.toHaveProperty('key_file')
    expect(config.webhook).not.toHaveProperty('api_key')
    const text = readFileSync(file, 'utf8')
    for (const variable of ['LIVEKIT_KEYS', 'LIVEKIT_WEBHOOK_API_KEY', 'LIVEKIT_RTC_PORT_RANGE_START', 'LIVEKIT_RTC_PORT_RANGE_END']) {
      expect(text).toContain(variable)
    }
  })

  it('sends its webhooks to the backend’s LiveKit webhook endpoint, and runs as one node without Redis', () => {
    expect(config.webhook.urls).toHaveLength(1)
    expect(new URL(config.webhook.urls[0]).pathname).toBe('/api/v1/livekit/webhook')
    expect(config).not.toHaveProperty('redis')
    expect(config.room.auto_create).toBe(true)
  })
})
