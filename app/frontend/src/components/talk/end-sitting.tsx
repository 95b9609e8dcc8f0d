'use client'
import { useTranslations } from 'next-intl'
import Link from 'next/link'
import { Alert } from '@/components/ui/alert'
import { sittingMinutes, useDates, useMinutes } from '@/components/history/use-dates'
import type { components } from '@/lib/api/schema'

type Sitting = components['schemas']['Sitting']

/** What ending the sitting did: the sitting (when, how long) and the way to its summary. */
export function EndedSitting({ ended, sitting, onDismiss }: { ended: boolean; sitting: Sitting | null; onDismiss(): void }) {
  const t = useTranslations('talk.end')
  const dates = useDates()
  const minutes = useMinutes()
  return (
    <Alert tone={ended ? 'success' : 'info'}>
      <p className="font-medium">{ended ? t('ended') : t('nothingOpen')}</p>
      {sitting ? (
        <>
          <p className="mt-1">
            {t('sitting', { start: dates.dateTime(sitting.startedAt), minutes: minutes(sittingMinutes(sitting)) })}
          </p>
          {ended ? <p className="mt-1">{t('summaryPending')}</p> : null}
          <p className="mt-2 flex flex-wrap gap-x-4 gap-y-1 font-medium">
            <Link href={`/history/${sitting.id}`} className="underline underline-offset-2">
              {t('summaryLink')}
            </Link>
            <button type="button" className="underline underline-offset-2" onClick={onDismiss}>
              {t('continue')}
            </button>
          </p>
        </>
      ) : (
        <p className="mt-2">
          <button type="button" className="font-medium underline underline-offset-2" onClick={onDismiss}>
            {t('continue')}
          </button>
        </p>
      )}
    </Alert>
  )
}
