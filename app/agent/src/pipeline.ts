import type { VoicePipeline, VoicePipelineOptions } from '@avaaz/voice'

/** Builds the voice pipeline for one room (tests pass their own). */
export type PipelineFactory = (options: VoicePipelineOptions) => VoicePipeline | Promise<VoicePipeline>

/**
 * The shared pipeline from @avaaz/voice, loaded on first use (it pulls in LiveKit Agents, ~1–2 s).
 * Looked up by name so this workspace builds while @avaaz/voice only has its contract (types.ts).
 */
export const createPipeline: PipelineFactory = async (options) => {
  const voice = (await import('@avaaz/voice')) as { createVoicePipeline?: PipelineFactory }
  if (typeof voice.createVoicePipeline !== 'function') throw new Error('@avaaz/voice does not export createVoicePipeline yet')
  return voice.createVoicePipeline(options)
}

/** Loads the pipeline's module in the worker's idle processes, so a dispatched job starts at once. */
export async function prewarmPipeline(): Promise<void> {
  await import('@avaaz/voice')
}
