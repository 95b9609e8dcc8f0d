import { describe, expect, it } from 'vitest'
import { readSettings, SettingsError } from './settings.js'

describe('the agent worker', () => {
  it('exports a LiveKit agent definition for the job processes', async () => {
    const [{ isAgent }, { default: agent }] = await Promise.all([import('@livekit/agents'), import('./agent.js')])
    expect(isAgent(agent)).toBe(true)
    expect(agent.entry).toBeTypeOf('function')
    expect(agent.prewarm).toBeTypeOf('function')
  })

  it('reads its settings from the environment and names every problem at once', () => {
    expect(readSettings({ BACKEND_URL: 'http://backend:8000/', AGENT_SERVICE_SECRET: 'x'.repeat(32) })).toEqual({
      backendUrl: 'http://backend:8000',
      serviceSecret: 'x'.repeat(32),
      agentName: 'avaaz-tutor',
      openaiApiKey: undefined,
      espeakCommand: undefined,
    })
    expect(readSettings({ BACKEND_URL: 'http://b', AGENT_SERVICE_SECRET: 'x'.repeat(32), LIVEKIT_AGENT_NAME: 'tutor-2', OPENAI_API_KEY: 'sk' })).toMatchObject({
      agentName: 'tutor-2',
      openaiApiKey: 'sk',
    })
    let error: unknown
    try {
      readSettings({ BACKEND_URL: 'backend:8000', AGENT_SERVICE_SECRET: 'short' })
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(SettingsError)
    expect((error as SettingsError).problems).toEqual([
      'BACKEND_URL: must be an http:// or https:// URL',
      'AGENT_SERVICE_SECRET: must be at least 32 characters',
    ])
  })
})
