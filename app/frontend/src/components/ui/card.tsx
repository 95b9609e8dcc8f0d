import type { HTMLAttributes } from 'react'

export function Card({ className = '', ...props }: HTMLAttributes<HTMLElement>) {
  return <section {...props} className={`rounded-xl border border-slate-200 p-4 dark:border-slate-800 ${className}`} />
}
