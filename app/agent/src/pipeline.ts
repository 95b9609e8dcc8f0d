import { createVoicePipeline, type VoicePipeline, type VoicePipelineOptions } from '@avaaz/voice'

/** Builds the voice pipeline for one room (tests pass their own). */
export type PipelineFactory = (options: VoicePipelineOptions) => VoicePipeline | Promise<VoicePipeline>

/** The shared pipeline, exactly as the backend's WebSocket transport runs it. */
export const createPipeline: PipelineFactory = (options) => createVoicePipeline(options)
