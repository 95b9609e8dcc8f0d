'use client'
import { useTranslations } from 'next-intl'
import Link from 'next/link'
import { useState, type FormEvent } from 'react'
import { TextField } from '@/components/ui/text-field'
import { authClient } from '@/lib/auth-client'
import { callAuth, useDescribeAuthFailure } from './auth-errors'
import { AuthForm } from './auth-form'
import { AuthHeading, linkClass } from './auth-heading'
import { strong } from './resend-verification'
import { useFormSubmission } from './use-form-submission'
import { checkEmail } from './validation'

/** Where the mailed reset link sends the learner (better-auth adds `?token=…` or `?error=INVALID_TOKEN`). */
export const RESET_PASSWORD_PATH = '/reset-password'

export function ForgotPasswordForm() {
  const t = useTranslations('auth')
  const describe = useDescribeAuthFailure()
  const { formRef, alertRef, busy, start, fail, settle } = useFormSubmission()
  const [email, setEmail] = useState('')
  const [fieldError, setFieldError] = useState<string>()
  const [alert, setAlert] = useState<string>()
  const [sentTo, setSentTo] = useState<string>()

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const address = email.trim()
    const problem = checkEmail(address)
    setAlert(undefined)
    if (problem) {
      setFieldError(t(`validation.${problem}`))
      fail()
      return
    }
    if (!start()) return
    setFieldError(undefined)
    const result = await callAuth(() => authClient.requestPasswordReset({ email: address, redirectTo: RESET_PASSWORD_PATH }))
    if (result.error) {
      const described = describe(result.error, ['email'])
      setFieldError(described.fields.email)
      setAlert(described.alert)
      fail()
      return
    }
    settle()
    setSentTo(address)
  }

  if (sentTo) {
    return (
      <div className="flex flex-col gap-6">
        <div className="flex flex-col gap-2">
          <AuthHeading focusOnMount>{t('forgot.sentTitle')}</AuthHeading>
          {/* The same answer whether or not the address has an account: nobody learns who uses Avaaz. */}
          <p className="text-slate-700 dark:text-slate-300">{t.rich('forgot.sentBody', { email: sentTo, strong })}</p>
          <p className="text-slate-700 dark:text-slate-300">{t('forgot.sentSpam')}</p>
        </div>
        <p className="text-sm">
          <Link href="/sign-in" className={linkClass}>
            {t('forgot.backToSignIn')}
          </Link>
        </p>
      </div>
    )
  }

  return (
    <AuthForm
      title={t('forgot.title')}
      lead={t('forgot.lead')}
      alert={alert}
      alertRef={alertRef}
      formRef={formRef}
      onSubmit={onSubmit}
      submitLabel={t('forgot.submit')}
      busy={busy}
      footer={
          <p className="text-sm">
            {t('forgot.remembered')}{' '}
            <Link href="/sign-in" className={linkClass}>
              {t('forgot.signIn')}
            </Link>
          </p>
      }
    >
      <TextField
        name="email"
        type="email"
        autoComplete="email"
        inputMode="email"
        required
        label={t('fields.email')}
        value={email}
        onChange={(event) => setEmail(event.target.value)}
        error={fieldError}
      />
    </AuthForm>
  )
}
