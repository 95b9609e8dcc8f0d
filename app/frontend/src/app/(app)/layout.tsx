import type { Metadata } from 'next'
import type { ReactNode } from 'react'
import { AppShell } from '@/components/app-shell/app-shell'

export const metadata: Metadata = { title: { template: '%s · Avaaz', default: 'Avaaz' } }

/** Every signed-in page: the shell checks the session and onboarding before the page renders. */
export default function SignedInLayout({ children }: { children: ReactNode }) {
  return <AppShell>{children}</AppShell>
}
