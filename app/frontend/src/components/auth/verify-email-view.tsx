'use client'
import { useTranslations } from 'next-intl'
import Link from 'next/link'
import { Alert } from '@/components/ui/alert'
import { AuthHeading, buttonLinkClass, linkClass } from './auth-heading'
import { RESEND_COOLDOWN_SECONDS, ResendVerification, strong } from './resend-verification'
import { isEmailShaped } from './validation'

interface VerifyEmailViewProps {
  /** The address just registered, or the one the verification link was for. */
  email?: string | undefined
  /** Set by the verification link's callback (see `verificationCallbackURL`). */
  confirmed?: boolean
  /** better-auth's error code when the link did not work: TOKEN_EXPIRED, INVALID_TOKEN, USER_NOT_FOUND. */
  error?: string | undefined
}

/**
 * Three moments in one place: right after registering ("check your mail at X", resend with a
 * cooldown), landing from the mailed link (confirmed, or the link expired or broke: ask for a new
 * one), and arriving with neither (ask for a link by address).
 */
export function VerifyEmailView({ email, confirmed = false, error }: VerifyEmailViewProps) {
  const t = useTranslations('auth')
  const address = email && isEmailShaped(email) ? email.trim() : undefined

  if (error) {
    const expired = error === 'TOKEN_EXPIRED'
    return (
      <div className="flex flex-col gap-6">
        <div className="flex flex-col gap-2">
          <AuthHeading>{expired ? t('verify.expiredTitle') : t('verify.invalidTitle')}</AuthHeading>
          <Alert tone="error">{expired ? t('verify.expiredBody') : t('verify.invalidBody')}</Alert>
        </div>
        <ResendVerification defaultEmail={address ?? ''} />
        <p className="text-sm">
          {t('verify.alreadyConfirmed')}{' '}
          <Link href="/sign-in" className={linkClass}>
            {t('verify.signIn')}
          </Link>
        </p>
      </div>
    )
  }

  if (confirmed) {
    return (
      <div className="flex flex-col gap-6">
        <div className="flex flex-col gap-2">
          <AuthHeading>{t('verify.confirmedTitle')}</AuthHeading>
          <Alert tone="success">{t('verify.confirmedBody')}</Alert>
        </div>
        <Link href={address ? `/sign-in?email=${encodeURIComponent(address)}` : '/sign-in'} className={`${buttonLinkClass} self-start`}>
          {t('verify.signIn')}
        </Link>
      </div>
    )
  }

  if (address) {
    return (
      <div className="flex flex-col gap-6">
        <div className="flex flex-col gap-2">
          <AuthHeading>{t('verify.checkTitle')}</AuthHeading>
          <p className="text-slate-700 dark:text-slate-300">{t.rich('verify.checkBody', { email: address, strong })}</p>
          <p className="text-slate-700 dark:text-slate-300">{t('verify.checkSpam')}</p>
        </div>
        {/* A mail has just gone out (at sign-up), so "send again" waits a little first. */}
        <ResendVerification email={address} initialCooldownSeconds={RESEND_COOLDOWN_SECONDS} />
        <p className="text-sm">
          {t('verify.wrongAddress')}{' '}
          <Link href="/register" className={linkClass}>
            {t('verify.registerAgain')}
          </Link>
        </p>
      </div>
    )
  }

  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-col gap-2">
        <AuthHeading>{t('verify.requestTitle')}</AuthHeading>
        <p className="text-slate-700 dark:text-slate-300">{t('verify.requestBody')}</p>
      </div>
      <ResendVerification defaultEmail={email ?? ''} />
      <p className="text-sm">
        {t('verify.alreadyConfirmed')}{' '}
        <Link href="/sign-in" className={linkClass}>
          {t('verify.signIn')}
        </Link>
      </p>
    </div>
  )
}
