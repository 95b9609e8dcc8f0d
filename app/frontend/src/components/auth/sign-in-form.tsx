'use client'
import { useQueryClient } from '@tanstack/react-query'
import { useTranslations } from 'next-intl'
import Link from 'next/link'
import { useRouter } from 'next/navigation'
import { useState, type FormEvent } from 'react'
import { Alert } from '@/components/ui/alert'
import { TextField } from '@/components/ui/text-field'
import { authClient } from '@/lib/auth-client'
import { queryKeys } from '@/lib/queries'
import { callAuth, useDescribeAuthFailure } from './auth-errors'
import { AuthForm } from './auth-form'
import { linkClass } from './auth-heading'
import { PasswordField } from './password-field'
import { RESEND_COOLDOWN_SECONDS, ResendVerification, strong } from './resend-verification'
import { safeNextPath } from './safe-next'
import { useFormSubmission } from './use-form-submission'
import { useRedirectWhenSignedIn } from './use-redirect-when-signed-in'
import { checkCurrentPassword, checkEmail } from './validation'

type Field = 'email' | 'password'
const fields: readonly Field[] = ['email', 'password']

export const DEFAULT_AFTER_SIGN_IN = '/home'

export function SignInForm({ next, defaultEmail = '' }: { next?: string | undefined; defaultEmail?: string | undefined }) {
  const t = useTranslations('auth')
  const describe = useDescribeAuthFailure()
  const router = useRouter()
  const queryClient = useQueryClient()
  const destination = safeNextPath(next) ?? DEFAULT_AFTER_SIGN_IN
  const [signedIn, setSignedIn] = useState(false)
  // Once this form has signed the learner in it navigates itself; the hook is for arriving signed in.
  const redirecting = useRedirectWhenSignedIn(destination, !signedIn)
  const { formRef, alertRef, busy, start, fail } = useFormSubmission()
  const [values, setValues] = useState({ email: defaultEmail, password: '' })
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({})
  const [alert, setAlert] = useState<string>()
  const [unverifiedEmail, setUnverifiedEmail] = useState<string>()

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const email = values.email.trim()
    const invalid: Partial<Record<Field, string>> = {}
    const emailProblem = checkEmail(email)
    const passwordProblem = checkCurrentPassword(values.password)
    if (emailProblem) invalid.email = t(`validation.${emailProblem}`)
    if (passwordProblem) invalid.password = t(`validation.${passwordProblem}`)
    setAlert(undefined)
    setUnverifiedEmail(undefined)
    if (emailProblem || passwordProblem) {
      setErrors(invalid)
      fail()
      return
    }
    if (!start()) return
    setErrors({})
    const result = await callAuth(() => authClient.signIn.email({ email, password: values.password }))
    if (result.error) {
      if (result.error.code === 'EMAIL_NOT_VERIFIED') {
        // The server has just mailed a fresh link (sendOnSignIn), hence the cooldown on "send again".
        setUnverifiedEmail(email)
      } else {
        const described = describe(result.error, fields)
        setErrors(described.fields)
        setAlert(described.alert)
      }
      fail()
      return
    }
    setSignedIn(true)
    // The cached "signed out" answer is now wrong; the next page asks again. Not refetched here, so
    // it cannot race the navigation below. The button stays busy until the next page shows.
    await queryClient.invalidateQueries({ queryKey: queryKeys.me, refetchType: 'none' })
    router.replace(destination)
  }

  return (
    <AuthForm
      title={t('signIn.title')}
      lead={t('signIn.lead')}
      alert={alert}
      alertRef={alertRef}
      formRef={formRef}
      onSubmit={onSubmit}
      submitLabel={t('signIn.submit')}
      busy={busy || signedIn || redirecting}
      notice={
        unverifiedEmail ? (
          <div ref={alertRef} tabIndex={-1} className="flex flex-col gap-3 outline-none">
            <Alert tone="info">{t.rich('signIn.notVerified', { email: unverifiedEmail, strong })}</Alert>
            <ResendVerification email={unverifiedEmail} initialCooldownSeconds={RESEND_COOLDOWN_SECONDS} />
          </div>
        ) : null
      }
      footer={
          <div className="flex flex-col gap-2 text-sm">
            <Link href="/forgot-password" className={`${linkClass} self-start`}>
              {t('signIn.forgotPassword')}
            </Link>
            <p>
              {t('signIn.noAccount')}{' '}
              <Link href="/register" className={linkClass}>
                {t('signIn.register')}
              </Link>
            </p>
          </div>
      }
    >
      <TextField
        name="email"
        type="email"
        autoComplete="email"
        inputMode="email"
        required
        label={t('fields.email')}
        value={values.email}
        onChange={(event) => setValues((current) => ({ ...current, email: event.target.value }))}
        error={errors.email}
      />
      <PasswordField
        name="password"
        autoComplete="current-password"
        required
        label={t('fields.password')}
        showLabel={t('fields.showPassword')}
        value={values.password}
        onChange={(event) => setValues((current) => ({ ...current, password: event.target.value }))}
        error={errors.password}
      />
    </AuthForm>
  )
}
