import type { Metadata } from 'next'
import { getTranslations } from 'next-intl/server'
import { talkIntentFrom } from '@/components/talk/intent'
import { TalkScreen } from '@/components/talk/talk-screen'

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('talk')
  return { title: `${t('header.title')} · Avaaz` }
}

export default async function TalkPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  return <TalkScreen intent={talkIntentFrom(await searchParams)} />
}
