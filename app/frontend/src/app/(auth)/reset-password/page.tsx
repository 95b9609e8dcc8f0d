import type { Metadata } from 'next'
import { getTranslations } from 'next-intl/server'
import { firstParam, type SearchParams } from '@/components/auth/params'
import { ResetPasswordForm } from '@/components/auth/reset-password-form'

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('auth')
  // The token is in this page's address: never hand it on in a Referer header.
  return { title: t('meta.resetPassword'), referrer: 'no-referrer' }
}

/** The mailed link lands here by way of better-auth: `?token=…`, or `?error=INVALID_TOKEN`. */
export default async function ResetPasswordPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams
  return <ResetPasswordForm token={firstParam(params.token)} error={firstParam(params.error)} />
}
