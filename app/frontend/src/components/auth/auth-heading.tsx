'use client'
import { useLayoutEffect, useRef, type ReactNode } from 'react'

/**
 * The page's one h1. When a view replaces the form (sent, changed, link broken) the new heading takes
 * focus, so screen readers announce the change and keyboard users start from the top of it.
 */
export function AuthHeading({ children, focusOnMount = false }: { children: ReactNode; focusOnMount?: boolean }) {
  const ref = useRef<HTMLHeadingElement>(null)
  useLayoutEffect(() => {
    if (focusOnMount) ref.current?.focus()
  }, [focusOnMount])
  return (
    <h1 ref={ref} tabIndex={-1} className="text-2xl font-semibold tracking-tight outline-none sm:text-3xl">
      {children}
    </h1>
  )
}

export const linkClass = 'font-medium text-blue-700 underline underline-offset-2 hover:text-blue-900 dark:text-blue-400 dark:hover:text-blue-300'
export const buttonLinkClass =
  'inline-flex min-h-11 items-center justify-center rounded-lg bg-blue-700 px-4 py-2 font-medium text-white hover:bg-blue-800 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700'
