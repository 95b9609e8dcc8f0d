'use client'
import { useLocale, useTranslations } from 'next-intl'
import Link from 'next/link'
import { useRouter } from 'next/navigation'
import { useState, type FormEvent } from 'react'
import { TextField } from '@/components/ui/text-field'
import { defaultLocale, isLocale } from '@/i18n/config'
import { authClient } from '@/lib/auth-client'
import { callAuth, useDescribeAuthFailure } from './auth-errors'
import { AuthForm } from './auth-form'
import { linkClass } from './auth-heading'
import { PasswordField } from './password-field'
import { verificationCallbackURL } from './resend-verification'
import { useFormSubmission } from './use-form-submission'
import { useRedirectWhenSignedIn } from './use-redirect-when-signed-in'
import { checkEmail, checkName, checkNewPassword } from './validation'

type Field = 'name' | 'email' | 'password'
const fields: readonly Field[] = ['name', 'email', 'password']

export function RegisterForm() {
  const t = useTranslations('auth')
  const uiLocale = useLocale()
  const describe = useDescribeAuthFailure()
  const router = useRouter()
  const [registered, setRegistered] = useState(false)
  const redirecting = useRedirectWhenSignedIn('/home', !registered)
  const { formRef, alertRef, busy, start, fail } = useFormSubmission()
  const [values, setValues] = useState({ name: '', email: '', password: '' })
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({})
  const [alert, setAlert] = useState<string>()

  const update = (field: Field) => (event: { target: { value: string } }) => setValues((current) => ({ ...current, [field]: event.target.value }))

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const name = values.name.trim()
    const email = values.email.trim()
    const problems = { name: checkName(name), email: checkEmail(email), password: checkNewPassword(values.password) }
    const invalid = Object.fromEntries(
      Object.entries(problems).flatMap(([field, key]) => (key ? [[field, t(`validation.${key}`)]] : [])),
    ) as Partial<Record<Field, string>>
    setAlert(undefined)
    if (Object.keys(invalid).length > 0) {
      setErrors(invalid)
      fail()
      return
    }
    if (!start()) return
    setErrors({})
    const body = {
      name,
      email,
      password: values.password,
      // Mail (verification, reset) is written in the language the learner signed up in. `locale` is
      // one of the backend's additional user fields, which this auth client's types do not list.
      locale: isLocale(uiLocale) ? uiLocale : defaultLocale,
      callbackURL: verificationCallbackURL(email),
    }
    const result = await callAuth(() => authClient.signUp.email(body))
    if (result.error) {
      const described = describe(result.error, fields)
      setErrors(described.fields)
      setAlert(described.alert)
      fail()
      return
    }
    // The answer is the same whether or not the address already had an account (no enumeration),
    // so the next page says "check your mail" either way. Stays busy until it shows.
    setRegistered(true)
    router.push(`/verify-email?email=${encodeURIComponent(email)}`)
  }

  return (
    <AuthForm
      title={t('register.title')}
      lead={t('register.lead')}
      alert={alert}
      alertRef={alertRef}
      formRef={formRef}
      onSubmit={onSubmit}
      submitLabel={t('register.submit')}
      busy={busy || registered || redirecting}
      footer={
          <p className="text-sm">
            {t('register.haveAccount')}{' '}
            <Link href="/sign-in" className={linkClass}>
              {t('register.signIn')}
            </Link>
          </p>
      }
    >
      <TextField
        name="name"
        autoComplete="name"
        required
        label={t('fields.name')}
        hint={t('fields.nameHint')}
        value={values.name}
        onChange={update('name')}
        error={errors.name}
      />
      <TextField
        name="email"
        type="email"
        autoComplete="email"
        inputMode="email"
        required
        label={t('fields.email')}
        value={values.email}
        onChange={update('email')}
        error={errors.email}
      />
      <PasswordField
        name="password"
        autoComplete="new-password"
        required
        label={t('fields.password')}
        hint={t('fields.passwordHint')}
        showLabel={t('fields.showPassword')}
        value={values.password}
        onChange={update('password')}
        error={errors.password}
      />
    </AuthForm>
  )
}
