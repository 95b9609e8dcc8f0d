'use client'
import { useTranslations } from 'next-intl'
import { useState, type FormEvent, type ReactNode } from 'react'
import { Alert } from '@/components/ui/alert'
import { Button } from '@/components/ui/button'
import { TextField } from '@/components/ui/text-field'
import { authClient } from '@/lib/auth-client'
import { callAuth, useDescribeAuthFailure } from './auth-errors'
import { useCooldown } from './use-cooldown'
import { useFormSubmission } from './use-form-submission'
import { checkEmail } from './validation'

/** How long to wait before another verification mail may be asked for (auth calls are rate limited per IP). */
export const RESEND_COOLDOWN_SECONDS = 60

/**
 * Where the link in a verification mail lands: the verify-email page, which shows success, or the
 * error better-auth appends (`&error=TOKEN_EXPIRED`, `&error=INVALID_TOKEN`) with the address ready
 * for a new link. Without a callbackURL better-auth would send the learner to `/` with no word.
 */
export function verificationCallbackURL(email: string): string {
  return `/verify-email?confirmed=1&email=${encodeURIComponent(email)}`
}

export const strong = (chunks: ReactNode) => <strong className="font-semibold break-all">{chunks}</strong>

interface ResendVerificationProps {
  /** The address to send to; without it the learner types one. */
  email?: string | undefined
  /** Prefills the address field (when `email` is not given). */
  defaultEmail?: string | undefined
  /** Seconds before the first send is allowed, when a mail has just gone out. */
  initialCooldownSeconds?: number
}

/** Sends a new verification link, then waits a while before allowing another. */
export function ResendVerification({ email, defaultEmail = '', initialCooldownSeconds = 0 }: ResendVerificationProps) {
  const t = useTranslations('auth')
  const describe = useDescribeAuthFailure()
  const cooldown = useCooldown(initialCooldownSeconds)
  const { formRef, alertRef, busy, start, fail, settle } = useFormSubmission()
  const [typed, setTyped] = useState(defaultEmail)
  const [fieldError, setFieldError] = useState<string>()
  const [alert, setAlert] = useState<string>()
  const [sentTo, setSentTo] = useState<string>()

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    if (cooldown.remaining > 0) return
    const address = (email ?? typed).trim()
    const problem = email ? undefined : checkEmail(address)
    setAlert(undefined)
    setSentTo(undefined)
    if (problem) {
      setFieldError(t(`validation.${problem}`))
      fail()
      return
    }
    if (!start()) return
    setFieldError(undefined)
    const result = await callAuth(() => authClient.sendVerificationEmail({ email: address, callbackURL: verificationCallbackURL(address) }))
    if (result.error) {
      // With the address given there is no field to put a complaint on: it becomes the alert.
      const errors = describe(result.error, email ? [] : ['email'])
      setFieldError(errors.fields.email)
      setAlert(errors.alert)
      if (result.error.status === 429) cooldown.start(result.error.retryAfterSeconds ?? RESEND_COOLDOWN_SECONDS)
      fail()
      return
    }
    settle()
    setSentTo(address)
    cooldown.start(RESEND_COOLDOWN_SECONDS)
  }

  const waiting = cooldown.remaining > 0
  return (
    <form ref={formRef} noValidate onSubmit={onSubmit} className="flex flex-col gap-3">
      {email ? null : (
        <TextField
          name="email"
          type="email"
          autoComplete="email"
          inputMode="email"
          required
          label={t('fields.email')}
          value={typed}
          onChange={(event) => setTyped(event.target.value)}
          error={fieldError}
        />
      )}
      <Button type="submit" variant={email ? 'secondary' : 'primary'} busy={busy} disabled={waiting} className="self-start">
        {waiting ? t('resend.wait', { seconds: cooldown.remaining }) : email ? t('resend.again') : t('resend.submit')}
      </Button>
      {sentTo ? <Alert tone="success">{t.rich('resend.sent', { email: sentTo, strong })}</Alert> : null}
      {alert ? (
        <div ref={alertRef} tabIndex={-1} className="outline-none">
          <Alert tone="error">{alert}</Alert>
        </div>
      ) : null}
    </form>
  )
}
