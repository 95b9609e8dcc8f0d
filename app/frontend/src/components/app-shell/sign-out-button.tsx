'use client'
import { useQueryClient } from '@tanstack/react-query'
import { useTranslations } from 'next-intl'
import { useRouter } from 'next/navigation'
import { useState } from 'react'
import { Button } from '@/components/ui/button'
import { authClient } from '@/lib/auth-client'

/**
 * Ends the session, forgets everything cached about the learner (a shared computer must not show
 * the next person their data), and returns to the landing page. If the server could not end the
 * session, the learner is told rather than shown a signed-out page while still signed in.
 */
export function SignOutButton({ onFailure }: { onFailure: (failed: boolean) => void }) {
  const t = useTranslations('common.nav')
  const client = useQueryClient()
  const router = useRouter()
  const [busy, setBusy] = useState(false)
  return (
    <Button
      variant="ghost"
      busy={busy}
      className="text-sm"
      onClick={async () => {
        setBusy(true)
        onFailure(false)
        try {
          const { error } = await authClient.signOut()
          if (error) throw new Error(error.message ?? 'sign-out failed')
          client.clear()
          router.replace('/')
        } catch {
          onFailure(true)
          setBusy(false)
        }
      }}
    >
      {t('signOut')}
    </Button>
  )
}
