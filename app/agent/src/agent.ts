import { AutoSubscribe, defineAgent, log, type JobContext } from '@livekit/agents'
import { BackendClient } from './backend.js'
import { runAgentJob } from './job.js'
import { createPipeline } from './pipeline.js'
import { connectRoomIo } from './room-io.js'
import { readSettings } from './settings.js'

/**
 * What LiveKit Agents runs in a job process when the backend's room token dispatches the tutor: join,
 * wait for the learner, run the job until they leave, then close the room (so coming back starts a
 * fresh room, and with it a fresh dispatch).
 */
export default defineAgent({
  // Idle job processes check their settings up front, so a misconfigured worker fails before a learner waits on it.
  prewarm: () => {
    readSettings()
  },
  entry: async (ctx: JobContext) => {
    const settings = readSettings()
    const logger = log().child({ component: 'avaaz-agent' })
    await ctx.connect(undefined, AutoSubscribe.AUDIO_ONLY)
    const learner = await ctx.waitForParticipant()
    const io = await connectRoomIo(ctx.room, learner)
    ctx.addShutdownCallback(() => io.close())
    try {
      const result = await runAgentJob({
        roomName: ctx.room.name ?? '',
        identity: learner.identity,
        backend: new BackendClient({ baseUrl: settings.backendUrl, serviceSecret: settings.serviceSecret }),
        pipelineFactory: createPipeline,
        audioIn: io.audioIn,
        audioOut: io.audioOut,
        client: io.client,
        learnerLeft: io.learnerLeft,
        engineKeys: { openaiApiKey: settings.openaiApiKey, googleApiKey: settings.googleApiKey, espeakCommand: settings.espeakCommand },
        log: logger,
      })
      // No identities in the log: the reason is enough to follow a job.
      logger.info({ reason: result.reason }, 'tutor left the room')
    } catch (error) {
      logger.error({ error: (error as Error).message }, 'the tutor could not run in this room')
    } finally {
      await io.close()
      await ctx.deleteRoom().catch(() => {})
      ctx.shutdown('learner left')
    }
  },
})
