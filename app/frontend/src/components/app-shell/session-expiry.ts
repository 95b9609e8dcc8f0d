'use client'
import { useQueryClient } from '@tanstack/react-query'
import { useEffect } from 'react'
import { ApiError } from '@/lib/api/client'
import { queryKeys } from '@/lib/queries'

const expired = (error: unknown) => error instanceof ApiError && error.problem.status === 401

/**
 * A session can end while a page is open (signed out in another tab, revoked, expired). The first
 * request a page makes that comes back 401 makes the shell ask for the profile again; that 401 is
 * what sends the learner to sign in, back to where they were.
 */
export function useSessionExpiry() {
  const client = useQueryClient()
  useEffect(() => {
    const recheck = () => void client.invalidateQueries({ queryKey: queryKeys.me })
    const queries = client.getQueryCache().subscribe((event) => {
      if (event.type === 'updated' && event.action.type === 'error' && event.query.queryKey[0] !== queryKeys.me[0] && expired(event.action.error)) recheck()
    })
    const mutations = client.getMutationCache().subscribe((event) => {
      if (event.type === 'updated' && event.action.type === 'error' && expired(event.action.error)) recheck()
    })
    return () => {
      queries()
      mutations()
    }
  }, [client])
}
