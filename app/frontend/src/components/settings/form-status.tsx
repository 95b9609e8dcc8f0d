'use client'
import { useTranslations } from 'next-intl'
import { Alert } from '@/components/ui/alert'
import { isUnreachable } from '@/components/app-shell/connection'
import { ApiError } from '@/lib/api/client'

/** Why a save failed, above the form: server down, the server's own words, or a generic message. */
export function FormError({ error, fieldsShown }: { error: unknown; fieldsShown: boolean }) {
  const t = useTranslations('settings')
  const common = useTranslations('common')
  if (!error) return null
  let message: string
  if (isUnreachable(error)) message = common('backendDown.banner')
  else if (error instanceof ApiError && error.problem.status === 400) message = fieldsShown ? t('form.fixFields') : (error.problem.detail ?? t('form.invalid'))
  else if (error instanceof ApiError && error.problem.status === 429) message = t('form.tooMany')
  else message = common('error.generic')
  return (
    <Alert tone="error">
      <p>{message}</p>
      {error instanceof ApiError && error.problem.requestId && error.problem.status !== 400 ? <p className="mt-1 text-xs">{common('error.requestId', { id: error.problem.requestId })}</p> : null}
    </Alert>
  )
}

/** "Saved", announced politely once a save succeeded; it stays until the next change. */
export function Saved({ show, children }: { show: boolean; children: string }) {
  return (
    <div aria-live="polite" className="min-h-6 text-sm font-medium text-green-800 dark:text-green-300">
      {show ? children : null}
    </div>
  )
}
