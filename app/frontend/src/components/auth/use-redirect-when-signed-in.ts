'use client'
import { useRouter } from 'next/navigation'
import { useEffect } from 'react'
import { useMe } from '@/lib/queries'

/**
 * Sends a signed-in learner on to `target` (sign-in and registration are for signed-out visitors).
 * Signed out shows as an error (401) from `useMe`, and so does a server we cannot reach: in both
 * cases the page stays. Returns true while the redirect is under way.
 */
export function useRedirectWhenSignedIn(target: string, enabled = true): boolean {
  const me = useMe()
  const router = useRouter()
  const signedIn = enabled && me.data !== undefined
  useEffect(() => {
    if (signedIn) router.replace(target)
  }, [signedIn, router, target])
  return signedIn
}
