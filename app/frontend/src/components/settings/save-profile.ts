'use client'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { api, ApiError, unwrap } from '@/lib/api/client'
import type { components } from '@/lib/api/schema'
import { queryKeys } from '@/lib/queries'

export type Profile = components['schemas']['Profile']
export type ProfileUpdate = components['schemas']['ProfileUpdateInput']
export type CefrLevel = NonNullable<Profile['targetLevel']>
export type ExamGoal = NonNullable<Profile['examGoal']>
export const cefrLevels = ['A1', 'A2', 'B1', 'B2'] as const satisfies readonly CefrLevel[]
export const examGoals = ['A1-A2', 'A2-B1', 'B1-B2'] as const satisfies readonly ExamGoal[]

/**
 * PATCH /users/me (only the fields sent). The answer is the whole profile, which replaces the cached
 * one; what is derived from the profile (the tutor's greeting and level, recommendations, the days a
 * streak is counted in) is asked for again.
 */
export function useSaveProfile() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (body: ProfileUpdate) => unwrap(api.PATCH('/api/v1/users/me', { body })),
    onSuccess: (profile) => {
      client.setQueryData(queryKeys.me, profile)
      void client.invalidateQueries({ queryKey: queryKeys.session })
      void client.invalidateQueries({ queryKey: queryKeys.recommended })
      void client.invalidateQueries({ queryKey: queryKeys.progress })
    },
  })
}

/**
 * Splits a failed save into messages for the form's own fields (by the API's path, e.g.
 * `preferences.keepAudio`) and whether anything is left for a message above the form.
 */
export function fieldErrorsFor(error: unknown, fields: readonly string[]): { fields: Record<string, string>; unmatched: boolean } {
  if (!(error instanceof ApiError)) return { fields: {}, unmatched: error != null }
  const all = error.fieldErrors
  const matched = Object.fromEntries(Object.entries(all).filter(([path]) => fields.includes(path)))
  return { fields: matched, unmatched: Object.keys(matched).length === 0 || Object.keys(all).length > Object.keys(matched).length }
}
