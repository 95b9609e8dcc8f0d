/** The voice pipeline: see pipeline.ts. */
export {}
