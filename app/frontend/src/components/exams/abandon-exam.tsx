'use client'
import { useTranslations } from 'next-intl'
import { AlertDialog } from 'radix-ui'
import { useState } from 'react'
import { Alert } from '@/components/ui/alert'
import { Button } from '@/components/ui/button'

/** Abandoning asks first: an abandoned exam is not scored and cannot be continued. */
export function AbandonExam({ onConfirm, pending, failed }: { onConfirm(): void; pending: boolean; failed: boolean }) {
  const t = useTranslations('exams.room.abandon')
  const [open, setOpen] = useState(false)
  return (
    <AlertDialog.Root open={open} onOpenChange={(next) => (pending ? undefined : setOpen(next))}>
      <AlertDialog.Trigger asChild>
        <Button variant="secondary" className="min-h-10 px-3 py-1 text-sm">
          {t('button')}
        </Button>
      </AlertDialog.Trigger>
      <AlertDialog.Portal>
        <AlertDialog.Overlay className="fixed inset-0 z-40 bg-slate-950/60" />
        <AlertDialog.Content className="fixed left-1/2 top-1/2 z-50 max-h-[90dvh] w-[calc(100vw-2rem)] max-w-md -translate-x-1/2 -translate-y-1/2 overflow-y-auto rounded-xl bg-white p-5 text-slate-900 shadow-xl dark:bg-slate-900 dark:text-slate-100">
          <div className="flex flex-col gap-4">
            <AlertDialog.Title className="text-lg font-semibold">{t('title')}</AlertDialog.Title>
            <AlertDialog.Description>{t('body')}</AlertDialog.Description>
            {failed ? <Alert tone="error">{t('failed')}</Alert> : null}
            <div className="flex flex-wrap justify-end gap-3">
              <AlertDialog.Cancel asChild>
                <Button type="button" variant="secondary" disabled={pending}>
                  {t('cancel')}
                </Button>
              </AlertDialog.Cancel>
              <Button type="button" variant="danger" busy={pending} onClick={onConfirm}>
                {t('confirm')}
              </Button>
            </div>
          </div>
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  )
}
