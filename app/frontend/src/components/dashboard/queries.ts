'use client'
import { useQuery } from '@tanstack/react-query'
import { api, unwrap } from '@/lib/api/client'
import { queryKeys } from '@/lib/queries'

/** Lessons completed per level, minutes in total, streak and the CEFR estimate. */
export function useProgress() {
  return useQuery({ queryKey: queryKeys.progress, queryFn: () => unwrap(api.GET('/api/v1/progress')) })
}

/** My next lessons with the reason for each, best first (the API's default number of them). */
export function useRecommendedLessons() {
  return useQuery({ queryKey: queryKeys.recommended, queryFn: () => unwrap(api.GET('/api/v1/lessons/recommended')) })
}

// A summary is written in the background within seconds of a sitting's end: ask again until it is.
const PENDING_SUMMARY_POLL_MS = 5_000

/** My tutor session: greeting, current lesson, and the last sitting with its summary. */
export function useTutorSession() {
  return useQuery({
    queryKey: queryKeys.session,
    queryFn: () => unwrap(api.GET('/api/v1/sessions/default')),
    refetchInterval: (query) => (query.state.data?.lastSitting?.summaryStatus === 'pending' ? PENDING_SUMMARY_POLL_MS : false),
  })
}
