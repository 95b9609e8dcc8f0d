import { ApiError } from '@/lib/api/client'
import type { components } from '@/lib/api/schema'

type Profile = components['schemas']['Profile']

export type ShellState =
  | { kind: 'loading' }
  | { kind: 'signed-out' }
  | { kind: 'needs-onboarding' }
  | { kind: 'ready'; profile: Profile }
  | { kind: 'failed'; error: unknown }

export const ONBOARDING_PATH = '/onboarding'

/**
 * Whether a learner still has onboarding ahead of them: the account records when they finished it.
 * Instructors and admins are not sent through the learner's onboarding.
 */
export function needsOnboarding(profile: Profile): boolean {
  return profile.role === 'learner' && profile.onboardedAt === null
}

/** What the shell shows for the `/users/me` query on a given page. */
export function shellState(me: { status: 'pending' | 'error' | 'success'; data?: Profile | undefined; error: unknown }, pathname: string): ShellState {
  if (me.status === 'pending') return { kind: 'loading' }
  if (me.status === 'error' || !me.data) {
    // 404: the session outlived its account (deleted in another tab); the learner must sign in again.
    if (me.error instanceof ApiError && (me.error.problem.status === 401 || me.error.problem.status === 404)) return { kind: 'signed-out' }
    return { kind: 'failed', error: me.error }
  }
  if (pathname !== ONBOARDING_PATH && needsOnboarding(me.data)) return { kind: 'needs-onboarding' }
  return { kind: 'ready', profile: me.data }
}

/** The sign-in page, told to come back to where the learner was. */
export function signInHref(pathname: string, search = ''): string {
  return `/sign-in?next=${encodeURIComponent(pathname + search)}`
}
