'use client'
import { useQuery } from '@tanstack/react-query'
import { api, unwrap } from './api/client'

/** Query keys in one place, so a mutation invalidates exactly what it changed. */
export const queryKeys = {
  me: ['me'] as const,
  session: ['session'] as const,
  progress: ['progress'] as const,
  lessons: (filters: Record<string, unknown>) => ['lessons', filters] as const,
  lesson: (idOrSlug: string) => ['lesson', idOrSlug] as const,
  recommended: ['lessons', 'recommended'] as const,
  sittings: ['sittings'] as const,
  sitting: (id: string) => ['sitting', id] as const,
}

/** The signed-in learner (profile and preferences); an ApiError with status 401 when signed out. */
export function useMe() {
  return useQuery({ queryKey: queryKeys.me, queryFn: () => unwrap(api.GET('/api/v1/users/me')) })
}
