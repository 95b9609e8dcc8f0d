'use client'
import { useQueries } from '@tanstack/react-query'
import { useLocale, useTranslations } from 'next-intl'
import { Button } from '@/components/ui/button'
import { cefrLevels, type CefrLevel } from '@/components/settings/save-profile'
import { api, unwrap } from '@/lib/api/client'
import type { components } from '@/lib/api/schema'
import { pickDescriptors } from './self-assessment'

type Objective = components['schemas']['Objective']

/** The can-do descriptors asked about, per level (curriculum content: cached for the visit). */
export function useAssessmentDescriptors() {
  const queries = useQueries({
    queries: cefrLevels.map((level) => ({
      queryKey: ['curriculum', 'objectives', { level }] as const,
      queryFn: () => unwrap(api.GET('/api/v1/curriculum/objectives', { params: { query: { level } } })),
      staleTime: Infinity,
    })),
  })
  const byLevel = Object.fromEntries(cefrLevels.map((level, index) => [level, pickDescriptors(queries[index]?.data?.items ?? [])])) as Record<CefrLevel, Objective[]>
  return {
    byLevel,
    pending: queries.some((query) => query.isPending),
    failed: queries.some((query) => query.isError),
    retrying: queries.some((query) => query.isFetching),
    retry: () => {
      for (const query of queries) if (query.isError) void query.refetch()
    },
  }
}

export function AssessmentChecklist({
  descriptors,
  checked,
  onToggle,
}: {
  descriptors: ReturnType<typeof useAssessmentDescriptors>
  checked: ReadonlySet<string>
  onToggle: (id: string, on: boolean) => void
}) {
  const t = useTranslations('onboarding.assessment')
  const common = useTranslations('common')
  const locale = useLocale()
  if (descriptors.pending) {
    return (
      <div aria-busy="true" className="animate-pulse space-y-2 motion-reduce:animate-none">
        <span className="sr-only">{common('loading')}</span>
        {[0, 1, 2, 3].map((index) => (
          <div key={index} aria-hidden className="h-16 rounded-lg bg-slate-100 dark:bg-slate-900" />
        ))}
      </div>
    )
  }
  return (
    <div className="flex flex-col gap-4">
      {descriptors.failed ? (
        <div role="alert" className="flex flex-wrap items-center gap-3 rounded-lg border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-950 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
          <p>{t('loadFailed')}</p>
          <Button type="button" variant="secondary" className="min-h-9 py-1 text-sm" busy={descriptors.retrying} onClick={descriptors.retry}>
            {common('backendDown.retry')}
          </Button>
        </div>
      ) : null}
      {cefrLevels.map((level) =>
        descriptors.byLevel[level].length === 0 ? null : (
          <fieldset key={level} className="flex flex-col gap-2">
            <legend className="mb-1 font-medium">{t('legend', { level })}</legend>
            {descriptors.byLevel[level].map((objective) => (
              <label
                key={objective.id}
                className="flex cursor-pointer items-start gap-3 rounded-lg border border-slate-200 p-3 has-[:checked]:border-blue-600 has-[:checked]:bg-blue-50 dark:border-slate-700 dark:has-[:checked]:border-blue-400 dark:has-[:checked]:bg-blue-950"
              >
                <input type="checkbox" checked={checked.has(objective.id)} onChange={(event) => onToggle(objective.id, event.target.checked)} className="mt-1 size-4 shrink-0" />
                <span lang={locale === 'nb' ? 'nb' : 'en'}>{locale === 'nb' ? objective.descriptorNb : objective.descriptorEn}</span>
              </label>
            ))}
          </fieldset>
        ),
      )}
    </div>
  )
}
