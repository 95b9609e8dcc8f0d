/**
 * The agent's settings, read once from the environment. LiveKit's own (LIVEKIT_URL, LIVEKIT_API_KEY,
 * LIVEKIT_API_SECRET) are read by the LiveKit Agents CLI.
 */
export interface AgentSettings {
  /** The backend as the agent reaches it, e.g. http://backend:8000. */
  backendUrl: string
  /** Shared with the backend (its AGENT_SERVICE_SECRET); signs the agent's calls. */
  serviceSecret: string
  /** Must equal the backend's LIVEKIT_AGENT_NAME: its room tokens dispatch this name. */
  agentName: string
  /** For OpenAI speech-to-text, speech or OpenAI Realtime, when the backend is configured with them. */
  openaiApiKey: string | undefined
  /** For Gemini Live, when the backend's VOICE_TUTOR is gemini-live. */
  googleApiKey: string | undefined
  espeakCommand: string | undefined
}

export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid agent configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`)
    this.name = 'SettingsError'
  }
}

/** Every problem at once, like the backend's config. */
export function readSettings(env: Record<string, string | undefined> = process.env): AgentSettings {
  const value = (name: string) => (env[name] === '' ? undefined : env[name])
  const problems: string[] = []
  const backendUrl = value('BACKEND_URL')
  if (!backendUrl) problems.push('BACKEND_URL: required (the backend as the agent reaches it, e.g. http://backend:8000)')
  else if (!/^https?:\/\//.test(backendUrl) || !URL.canParse(backendUrl)) problems.push('BACKEND_URL: must be an http:// or https:// URL')
  const serviceSecret = value('AGENT_SERVICE_SECRET')
  if (!serviceSecret) problems.push('AGENT_SERVICE_SECRET: required (the same value as the backend’s)')
  else if (serviceSecret.length < 32) problems.push('AGENT_SERVICE_SECRET: must be at least 32 characters')
  if (problems.length > 0) throw new SettingsError(problems)
  return {
    backendUrl: backendUrl!.replace(/\/+$/, ''),
    serviceSecret: serviceSecret!,
    agentName: value('LIVEKIT_AGENT_NAME') ?? 'avaaz-tutor',
    openaiApiKey: value('OPENAI_API_KEY'),
    googleApiKey: value('GOOGLE_GENERATIVE_AI_API_KEY'),
    espeakCommand: value('ESPEAK_COMMAND'),
  }
}
