'use client'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useTranslations } from 'next-intl'
import { useRouter } from 'next/navigation'
import { AlertDialog } from 'radix-ui'
import { useState, type FormEvent } from 'react'
import { Button } from '@/components/ui/button'
import { TextField } from '@/components/ui/text-field'
import { api, ApiError, unwrap } from '@/lib/api/client'
import { authClient } from '@/lib/auth-client'
import { FormError } from './form-status'

/**
 * Deleting the account asks for the password in a confirmation dialog (the API checks it: a stolen
 * session alone must not be enough). Afterwards nothing of the learner stays in this tab's cache,
 * and they land on the landing page.
 */
export function DeleteAccount() {
  const t = useTranslations('settings.delete')
  const client = useQueryClient()
  const router = useRouter()
  const [open, setOpen] = useState(false)
  const [password, setPassword] = useState('')
  const [missing, setMissing] = useState(false)
  const remove = useMutation({
    mutationFn: (currentPassword: string) => unwrap(api.DELETE('/api/v1/users/me', { body: { password: currentPassword } })),
    onSuccess: async () => {
      // The session died with the account; this clears its cookies too. Failure changes nothing.
      await authClient.signOut().catch(() => undefined)
      client.clear()
      router.replace('/')
    },
  })
  // A wrong password (403) or a refused one (400) is the password field's error; anything else goes above.
  const problem = remove.error instanceof ApiError ? remove.error : null
  let passwordError: string | undefined
  if (missing) passwordError = t('passwordRequired')
  else if (problem?.problem.status === 403) passwordError = t('wrongPassword')
  else if (problem?.problem.status === 400) passwordError = problem.fieldErrors.password ?? t('passwordRequired')
  const onField = problem?.problem.status === 403 || problem?.problem.status === 400

  function submit(event: FormEvent) {
    event.preventDefault()
    setMissing(!password)
    if (password) remove.mutate(password)
  }

  return (
    <div className="flex flex-col items-start gap-3">
      <p>{t('body')}</p>
      <AlertDialog.Root
        open={open}
        onOpenChange={(next) => {
          if (remove.isPending) return
          setOpen(next)
          if (!next) {
            setPassword('')
            setMissing(false)
            remove.reset()
          }
        }}
      >
        <AlertDialog.Trigger asChild>
          <Button variant="danger">{t('button')}</Button>
        </AlertDialog.Trigger>
        <AlertDialog.Portal>
          <AlertDialog.Overlay className="fixed inset-0 z-40 bg-slate-950/60" />
          <AlertDialog.Content className="fixed left-1/2 top-1/2 z-50 max-h-[90dvh] w-[calc(100vw-2rem)] max-w-md -translate-x-1/2 -translate-y-1/2 overflow-y-auto rounded-xl bg-white p-5 shadow-xl text-slate-900 dark:bg-slate-900 dark:text-slate-100">
            <form noValidate onSubmit={submit} className="flex flex-col gap-4">
              <AlertDialog.Title className="text-lg font-semibold">{t('dialogTitle')}</AlertDialog.Title>
              <AlertDialog.Description>{t('dialogBody')}</AlertDialog.Description>
              {onField ? null : <FormError error={remove.error} fieldsShown={false} />}
              <TextField
                type="password"
                label={t('password')}
                autoComplete="current-password"
                value={password}
                onChange={(event) => setPassword(event.target.value)}
                error={passwordError}
                autoFocus
              />
              <div className="flex flex-wrap justify-end gap-3">
                <AlertDialog.Cancel asChild>
                  <Button type="button" variant="secondary" disabled={remove.isPending}>
                    {t('cancel')}
                  </Button>
                </AlertDialog.Cancel>
                <Button type="submit" variant="danger" busy={remove.isPending}>
                  {t('confirm')}
                </Button>
              </div>
            </form>
          </AlertDialog.Content>
        </AlertDialog.Portal>
      </AlertDialog.Root>
    </div>
  )
}
