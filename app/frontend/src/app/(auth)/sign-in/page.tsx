import type { Metadata } from 'next'
import { getTranslations } from 'next-intl/server'
import { firstParam, type SearchParams } from '@/components/auth/params'
import { SignInForm } from '@/components/auth/sign-in-form'

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('auth')
  return { title: t('meta.signIn') }
}

/** `?next=/path` returns the learner there after signing in (same-origin paths only); `?email=` prefills. */
export default async function SignInPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams
  return <SignInForm next={firstParam(params.next)} defaultEmail={firstParam(params.email)} />
}
