import type { Metadata } from 'next'
import { getTranslations } from 'next-intl/server'
import { firstParam, type SearchParams } from '@/components/auth/params'
import { VerifyEmailView } from '@/components/auth/verify-email-view'

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('auth')
  return { title: t('meta.verifyEmail') }
}

/**
 * `?email=` after registering; `?confirmed=1&email=` when the mailed link worked, plus
 * `&error=TOKEN_EXPIRED|INVALID_TOKEN|…` when it did not (better-auth's redirect).
 */
export default async function VerifyEmailPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams
  return <VerifyEmailView email={firstParam(params.email)} confirmed={firstParam(params.confirmed) === '1'} error={firstParam(params.error)} />
}
