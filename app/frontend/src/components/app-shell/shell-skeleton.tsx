import { useTranslations } from 'next-intl'

/**
 * Stands in for the page while the learner's profile loads: the same outer size as a page heading
 * and a few cards, so nothing jumps when the page arrives. The header and nav are already real.
 */
export function ShellSkeleton() {
  const t = useTranslations('common')
  return (
    <div aria-busy="true" className="animate-pulse motion-reduce:animate-none">
      <p className="sr-only" role="status">
        {t('loading')}
      </p>
      <div aria-hidden className="h-8 w-48 rounded bg-slate-200 dark:bg-slate-800" />
      <div aria-hidden className="mt-6 grid gap-4 sm:grid-cols-2">
        {[0, 1, 2, 3].map((index) => (
          <div key={index} className="h-32 rounded-xl bg-slate-100 dark:bg-slate-900" />
        ))}
      </div>
    </div>
  )
}
