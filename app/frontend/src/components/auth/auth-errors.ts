'use client'
import { useTranslations } from 'next-intl'
import { useCallback } from 'react'

/**
 * A failed auth call as the better-auth client reports it: better-auth's own JSON `{code, message}`,
 * or our problem+json (a 429 from the rate limiter, a 5xx), plus the HTTP status. Status 0 means
 * the server was not reached at all.
 */
export interface AuthFailure {
  status: number
  code?: string | undefined
  message?: string | undefined
  /** problem+json from our rate limiter. */
  retryAfterSeconds?: number | undefined
  requestId?: string | undefined
}

export type AuthResult<T> = { data: T; error?: undefined } | { data?: undefined; error: AuthFailure }

/** Runs a better-auth client call; a network failure (fetch rejects) becomes status 0 instead of a throw. */
export async function callAuth<T>(call: () => Promise<{ data: T | null; error: unknown }>): Promise<AuthResult<T | null>> {
  try {
    const { data, error } = await call()
    if (error) return { error: toFailure(error) }
    return { data }
  } catch {
    return { error: { status: 0 } }
  }
}

function toFailure(error: unknown): AuthFailure {
  const body = (error ?? {}) as Record<string, unknown>
  const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined)
  return {
    status: typeof body.status === 'number' ? body.status : 0,
    code: text(body.code),
    message: text(body.message) ?? text(body.detail),
    retryAfterSeconds: typeof body.retryAfterSeconds === 'number' ? body.retryAfterSeconds : undefined,
    requestId: text(body.requestId),
  }
}

/** What a form shows for a failure: messages on its fields, and/or one message above the form. */
export interface FormErrors<F extends string> {
  fields: Partial<Record<F, string>>
  alert?: string | undefined
}

// better-auth names some fields differently from our forms (reset-password's `newPassword`).
const fieldAliases: Record<string, string> = { newPassword: 'password' }

/**
 * Turns a failed auth call into messages in the UI language, on the form's fields where the server
 * says which field is wrong, otherwise as one alert.
 */
export function useDescribeAuthFailure() {
  const t = useTranslations('auth')
  const common = useTranslations('common')

  // The server answers every password rule with one code and an English sentence naming the rule;
  // the rules we know are shown in the UI language, anything else as the server wrote it.
  const passwordMessage = useCallback(
    (failure: AuthFailure) => {
      const message = failure.message ?? ''
      if (failure.code === 'PASSWORD_TOO_SHORT' || /at least/i.test(message)) return t('validation.passwordTooShort')
      if (failure.code === 'PASSWORD_TOO_LONG' || /at most/i.test(message)) return t('validation.passwordTooLong')
      if (/common/i.test(message)) return t('validation.passwordCommon')
      return message || t('errors.generic')
    },
    [t],
  )

  return useCallback(
    <F extends string>(failure: AuthFailure, fields: readonly F[]): FormErrors<F> => {
      const onField = (field: string, message: string): FormErrors<F> => {
        const name = fieldAliases[field] ?? field
        return (fields as readonly string[]).includes(name) ? { fields: { [name]: message } as Partial<Record<F, string>> } : { fields: {}, alert: message }
      }
      const alert = (message: string): FormErrors<F> => ({ fields: {}, alert: message })

      if (failure.status === 0) return alert(t('errors.network'))
      if (failure.status === 429) {
        return alert(
          failure.retryAfterSeconds ? t('errors.tooManyAttempts', { minutes: Math.max(1, Math.ceil(failure.retryAfterSeconds / 60)) }) : t('errors.tooManyAttemptsLater'),
        )
      }
      switch (failure.code) {
        case 'INVALID_EMAIL':
          return onField('email', t('validation.emailInvalid'))
        case 'INVALID_NAME':
          return onField('name', t('validation.nameInvalid'))
        case 'PASSWORD_NOT_ACCEPTABLE':
        case 'PASSWORD_TOO_SHORT':
        case 'PASSWORD_TOO_LONG':
          return onField('password', passwordMessage(failure))
        case 'INVALID_EMAIL_OR_PASSWORD':
          return alert(t('errors.wrongCredentials'))
        case 'BANNED_USER':
          return alert(t('errors.accountDisabled'))
        case 'VALIDATION_ERROR': {
          // better-call names the field: "[body.email] Invalid email address".
          const field = /^\[body\.(\w+)\]/.exec(failure.message ?? '')?.[1]
          if (field === 'email') return onField('email', t('validation.emailInvalid'))
          if (field === 'name') return onField('name', t('validation.nameInvalid'))
          if (field === 'password' || field === 'newPassword') {
            return onField(field, passwordMessage({ ...failure, message: failure.message?.replace(/^\[body\.\w+\]\s*/, '') }))
          }
          return alert(t('errors.generic'))
        }
      }
      const generic = t('errors.generic')
      return alert(failure.requestId ? `${generic} ${common('error.requestId', { id: failure.requestId })}` : generic)
    },
    [t, common, passwordMessage],
  )
}
