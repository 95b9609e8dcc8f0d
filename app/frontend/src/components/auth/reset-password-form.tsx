'use client'
import { useTranslations } from 'next-intl'
import Link from 'next/link'
import { useState, type FormEvent } from 'react'
import { Alert } from '@/components/ui/alert'
import { authClient } from '@/lib/auth-client'
import { callAuth, useDescribeAuthFailure } from './auth-errors'
import { AuthForm } from './auth-form'
import { AuthHeading, buttonLinkClass, linkClass } from './auth-heading'
import { PasswordField } from './password-field'
import { useFormSubmission } from './use-form-submission'
import { checkNewPassword } from './validation'

interface ResetPasswordFormProps {
  /** From the mailed link, by way of better-auth's redirect (`/reset-password?token=…`). */
  token?: string | undefined
  /** better-auth's redirect when the link is unknown or expired (`?error=INVALID_TOKEN`). */
  error?: string | undefined
}

export function ResetPasswordForm({ token, error }: ResetPasswordFormProps) {
  const t = useTranslations('auth')
  const describe = useDescribeAuthFailure()
  const { formRef, alertRef, busy, start, fail, settle } = useFormSubmission()
  const [password, setPassword] = useState('')
  const [fieldError, setFieldError] = useState<string>()
  const [alert, setAlert] = useState<string>()
  // Known only after submitting: the link was used already or expired in the meantime.
  const [linkRejected, setLinkRejected] = useState(false)
  const [done, setDone] = useState(false)

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const problem = checkNewPassword(password)
    setAlert(undefined)
    if (problem) {
      setFieldError(t(`validation.${problem}`))
      fail()
      return
    }
    if (!token || !start()) return
    setFieldError(undefined)
    const result = await callAuth(() => authClient.resetPassword({ newPassword: password, token }))
    if (result.error) {
      if (result.error.code === 'INVALID_TOKEN' || result.error.code === 'USER_NOT_FOUND') {
        settle()
        setLinkRejected(true)
        return
      }
      const described = describe(result.error, ['password'])
      setFieldError(described.fields.password)
      setAlert(described.alert)
      fail()
      return
    }
    settle()
    setDone(true)
  }

  if (done) {
    return (
      <div className="flex flex-col gap-6">
        <div className="flex flex-col gap-2">
          <AuthHeading focusOnMount>{t('reset.doneTitle')}</AuthHeading>
          <Alert tone="success">{t('reset.doneBody')}</Alert>
        </div>
        <Link href="/sign-in" className={`${buttonLinkClass} self-start`}>
          {t('reset.signIn')}
        </Link>
      </div>
    )
  }

  if (!token || error || linkRejected) {
    return (
      <div className="flex flex-col gap-6">
        <div className="flex flex-col gap-2">
          <AuthHeading focusOnMount={linkRejected}>{t('reset.invalidTitle')}</AuthHeading>
          <Alert tone="error">{t('reset.invalidBody')}</Alert>
        </div>
        <Link href="/forgot-password" className={`${buttonLinkClass} self-start`}>
          {t('reset.requestNew')}
        </Link>
      </div>
    )
  }

  return (
    <AuthForm
      title={t('reset.title')}
      lead={t('reset.lead')}
      alert={alert}
      alertRef={alertRef}
      formRef={formRef}
      onSubmit={onSubmit}
      submitLabel={t('reset.submit')}
      busy={busy}
      footer={
          <p className="text-sm">
            <Link href="/sign-in" className={linkClass}>
              {t('reset.backToSignIn')}
            </Link>
          </p>
      }
    >
      <PasswordField
        name="password"
        autoComplete="new-password"
        required
        label={t('fields.newPassword')}
        hint={t('fields.passwordHint')}
        showLabel={t('fields.showPassword')}
        value={password}
        onChange={(event) => setPassword(event.target.value)}
        error={fieldError}
      />
    </AuthForm>
  )
}
