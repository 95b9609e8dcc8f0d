'use client'
import { useMutation } from '@tanstack/react-query'
import { useTranslations } from 'next-intl'
import { Button } from '@/components/ui/button'
import { api, unwrap } from '@/lib/api/client'
import { FormError, Saved } from './form-status'

/** Hands JSON to the browser as a file download. */
function downloadJson(data: unknown, filename: string) {
  const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }))
  const link = document.createElement('a')
  link.href = url
  link.download = filename
  document.body.append(link)
  link.click()
  link.remove()
  // Revoked on the next task: the click has started the download by then.
  setTimeout(() => URL.revokeObjectURL(url), 0)
}

/** Everything stored about the learner (GET /users/me/export), saved as a JSON file. */
export function ExportData() {
  const t = useTranslations('settings.export')
  const exportData = useMutation({
    mutationFn: () => unwrap(api.GET('/api/v1/users/me/export')),
    onSuccess: (data) => downloadJson(data, `avaaz-export-${data.exportedAt.slice(0, 10)}.json`),
  })
  return (
    <div className="flex flex-col items-start gap-3">
      <p>{t('body')}</p>
      <FormError error={exportData.error} fieldsShown={false} />
      <div className="flex flex-wrap items-center gap-4">
        <Button variant="secondary" busy={exportData.isPending} onClick={() => exportData.mutate()}>
          {t('button')}
        </Button>
        <Saved show={exportData.isSuccess}>{t('done')}</Saved>
      </div>
    </div>
  )
}
