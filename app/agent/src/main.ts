import { fileURLToPath } from 'node:url'
import { cli, ServerOptions } from '@livekit/agents'
import { readSettings } from './settings.js'

/**
 * The agent worker: registers with LiveKit under the agent name (explicit dispatch only: the backend's
 * room tokens name it) and runs ./agent.ts in a job process per room.
 * `npm start -w app/agent` (= `tsx src/main.ts start`); LIVEKIT_URL, LIVEKIT_API_KEY and
 * LIVEKIT_API_SECRET come from the environment, as do the settings in settings.ts.
 */
const settings = readSettings()
const agent = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? './agent.ts' : './agent.js', import.meta.url))
cli.runApp(new ServerOptions({ agent, agentName: settings.agentName }))
