import type { Metadata } from 'next'
import type { ReactNode } from 'react'
import './globals.css'

// Every page is rendered per request: its scripts carry the response's CSP nonce (set by the
// backend), which a prerendered page could not.
export const dynamic = 'force-dynamic'

export const metadata: Metadata = {
  title: 'Avaaz — speak Norwegian',
  description: 'A speaking coach for adult learners of Norwegian (Bokmål), A1 to B2, with a focus on the oral Norskprøven.',
}

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-dvh bg-white text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">{children}</body>
    </html>
  )
}
