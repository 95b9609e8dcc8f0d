/** CEFR levels the curriculum covers, in order. */
export const levels = ['A1', 'A2', 'B1', 'B2'] as const
export type Level = (typeof levels)[number]
export const isLevel = (value: unknown): value is Level => typeof value === 'string' && (levels as readonly string[]).includes(value)
