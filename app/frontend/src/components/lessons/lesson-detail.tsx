'use client'
import { useQuery } from '@tanstack/react-query'
import { useLocale, useTranslations } from 'next-intl'
import Link from 'next/link'
import { Alert } from '@/components/ui/alert'
import { useDates } from '@/components/history/use-dates'
import { pictureUrl } from '@/components/talk/visual-aid'
import { api, ApiError, unwrap } from '@/lib/api/client'
import type { components } from '@/lib/api/schema'
import { queryKeys } from '@/lib/queries'
import { useLabels } from './labels'
import { ExamTags, LessonFacts, talkHref } from './lesson-card'

type LessonDetail = components['schemas']['LessonDetail']
type Picture = components['schemas']['Picture']

const linkButton =
  'inline-flex min-h-11 items-center rounded-lg px-4 py-2 font-medium focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700'

/** One lesson: what it trains, its words and phrases, its scenario steps, my progress, and the way to practise it. */
export function LessonDetailView({ idOrSlug }: { idOrSlug: string }) {
  const t = useTranslations('lessons.detail')
  const lesson = useQuery({
    queryKey: queryKeys.lesson(idOrSlug),
    queryFn: () => unwrap(api.GET('/api/v1/lessons/{idOrSlug}', { params: { path: { idOrSlug } } })),
  })

  if (lesson.isPending) return <p className="text-slate-600 dark:text-slate-400">{t('loading')}</p>
  if (lesson.isError) {
    const missing = lesson.error instanceof ApiError && (lesson.error.problem.status === 404 || lesson.error.problem.status === 400)
    return (
      <div className="mx-auto flex max-w-3xl flex-col gap-4">
        <Alert tone="error">{missing ? t('notFound') : t('error')}</Alert>
        <Link href="/lessons" className="font-medium underline underline-offset-2">
          {t('back')}
        </Link>
      </div>
    )
  }
  return <Lesson lesson={lesson.data} />
}

function Lesson({ lesson }: { lesson: LessonDetail }) {
  const t = useTranslations('lessons.detail')
  const locale = useLocale()
  const labels = useLabels()
  const totalSteps = lesson.scenarios.reduce((sum, scenario) => sum + scenario.steps.length, 0)
  const needsPictures = lesson.scenarios.some((scenario) => scenario.steps.some((step) => step.pictureSlug))
  const pictures = useQuery({
    queryKey: ['curriculum', 'pictures'],
    queryFn: () => unwrap(api.GET('/api/v1/curriculum/pictures')),
    enabled: needsPictures,
    staleTime: Infinity,
  })
  const pictureOf = (slug: string): Picture | undefined => pictures.data?.items.find((picture) => picture.slug === slug)
  // Step positions in a talk link count across the lesson's scenarios, in order (as the tutor does).
  const firstSteps = lesson.scenarios.reduce<number[]>((starts, scenario, index) => [...starts, index === 0 ? 0 : starts[index - 1]! + lesson.scenarios[index - 1]!.steps.length], [])

  return (
    <article className="mx-auto flex w-full max-w-3xl flex-col gap-6">
      <p>
        <Link href={`/lessons?level=${lesson.level}`} className="text-sm font-medium underline underline-offset-2">
          {t('backToLevel', { level: lesson.level })}
        </Link>
      </p>
      <header className="flex flex-col gap-2">
        <h1 lang="nb" className="text-2xl font-semibold tracking-tight">
          {lesson.title}
        </h1>
        <LessonFacts lesson={lesson} />
        <ExamTags tags={lesson.examTags} />
        {lesson.description ? <p className="text-slate-700 dark:text-slate-300">{lesson.description}</p> : null}
      </header>

      <ProgressPanel lesson={lesson} totalSteps={totalSteps} />

      {lesson.goals.length > 0 ? (
        <section aria-labelledby="goals">
          <h2 id="goals" className="text-lg font-semibold">
            {t('goals')}
          </h2>
          <ul className="mt-2 list-disc space-y-1 pl-5">
            {lesson.goals.map((goal) => (
              <li key={goal}>{goal}</li>
            ))}
          </ul>
        </section>
      ) : null}

      {lesson.objectives.length > 0 ? (
        <section aria-labelledby="objectives">
          <h2 id="objectives" className="text-lg font-semibold">
            {t('objectives')}
          </h2>
          <ul className="mt-2 flex flex-col gap-2">
            {lesson.objectives.map((objective) => (
              <li key={objective.id}>
                <span className="mr-2 rounded bg-slate-100 px-1.5 py-0.5 text-xs font-medium dark:bg-slate-800">
                  {objective.level} · {t(`skills.${objective.skill}`)}
                </span>
                <span lang={locale === 'nb' ? 'nb' : 'en'}>{locale === 'nb' ? objective.descriptorNb : objective.descriptorEn}</span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <div className="grid gap-6 sm:grid-cols-2">
        {lesson.vocabulary.length > 0 ? (
          <section aria-labelledby="vocabulary">
            <h2 id="vocabulary" className="text-lg font-semibold">
              {t('vocabulary')}
            </h2>
            <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
              {lesson.vocabulary.map((item) => (
                <div key={item.term} className="contents">
                  <dt lang="nb" className="font-medium">
                    {item.term}
                  </dt>
                  <dd className="text-slate-700 dark:text-slate-300">{item.gloss}</dd>
                </div>
              ))}
            </dl>
          </section>
        ) : null}
        {lesson.phrases.length > 0 ? (
          <section aria-labelledby="phrases">
            <h2 id="phrases" className="text-lg font-semibold">
              {t('phrases')}
            </h2>
            <dl className="mt-2 flex flex-col gap-2 text-sm">
              {lesson.phrases.map((phrase) => (
                <div key={phrase.text}>
                  <dt lang="nb" className="font-medium">
                    {phrase.text}
                  </dt>
                  <dd className="text-slate-700 dark:text-slate-300">{phrase.gloss}</dd>
                </div>
              ))}
            </dl>
          </section>
        ) : null}
      </div>

      {lesson.scenarios.length > 0 ? (
        <section aria-labelledby="steps" className="flex flex-col gap-4">
          <h2 id="steps" className="text-lg font-semibold">
            {t('steps', { count: totalSteps })}
          </h2>
          {lesson.scenarios.map((scenario, scenarioIndex) => {
            const first = firstSteps[scenarioIndex] ?? 0
            return (
              <section key={scenario.id} aria-labelledby={`scenario-${scenario.id}`} className="rounded-xl border border-slate-200 p-4 dark:border-slate-800">
                <h3 id={`scenario-${scenario.id}`} className="font-semibold">
                  <span lang="nb">{scenario.title}</span>
                </h3>
                <p className="text-sm text-slate-600 dark:text-slate-400">
                  {labels.scenarioKind(scenario.kind)} · {labels.mode(scenario.mode)}
                </p>
                {scenario.description ? <p className="mt-1 text-sm text-slate-700 dark:text-slate-300">{scenario.description}</p> : null}
                <ol className="mt-3 flex flex-col gap-3">
                  {scenario.steps.map((step, index) => {
                    const position = first + index
                    const picture = step.pictureSlug ? pictureOf(step.pictureSlug) : undefined
                    return (
                      <li key={step.position} className="border-l-2 border-slate-200 pl-3 dark:border-slate-700">
                        <p className="text-xs font-medium uppercase tracking-wide text-slate-600 dark:text-slate-400">
                          {t('step', { position: position + 1, total: totalSteps })}
                        </p>
                        <p lang="nb" className="mt-0.5">
                          {step.tutorPrompt}
                        </p>
                        {step.expectedLearnerMove ? (
                          <p className="mt-1 text-sm text-slate-700 dark:text-slate-300">
                            <span className="font-medium">{t('yourMove')} </span>
                            {step.expectedLearnerMove}
                          </p>
                        ) : null}
                        {step.hints.length > 0 ? (
                          <p className="mt-1 text-sm text-slate-700 dark:text-slate-300">
                            <span className="font-medium">{t('hints')} </span>
                            <span lang="nb">{step.hints.join(' · ')}</span>
                          </p>
                        ) : null}
                        <p className="mt-1 text-xs text-slate-600 dark:text-slate-400">
                          {[
                            step.preparationSeconds > 0 ? t('preparation', { seconds: step.preparationSeconds }) : null,
                            step.speakingSeconds ? t('speaking', { seconds: step.speakingSeconds }) : null,
                          ]
                            .filter(Boolean)
                            .join(' · ')}
                        </p>
                        {step.pictureSlug ? (
                          <figure className="mt-2 max-w-sm">
                            <img
                              src={pictureUrl(step.pictureSlug, picture?.url)}
                              alt={picture ? (locale === 'nb' ? picture.titleNb : picture.titleEn) : t('picture')}
                              width={800}
                              height={600}
                              loading="lazy"
                              className="aspect-[4/3] h-auto w-full rounded-lg border border-slate-200 bg-white dark:border-slate-700"
                            />
                          </figure>
                        ) : null}
                        <p className="mt-1">
                          <Link href={talkHref(lesson, position)} className="text-sm font-medium underline underline-offset-2">
                            {t('practiseFromStep', { position: position + 1 })}
                          </Link>
                        </p>
                      </li>
                    )
                  })}
                </ol>
              </section>
            )
          })}
        </section>
      ) : null}
    </article>
  )
}

function ProgressPanel({ lesson, totalSteps }: { lesson: LessonDetail; totalSteps: number }) {
  const t = useTranslations('lessons.detail')
  const dates = useDates()
  const progress = lesson.progress
  const status = progress?.status ?? 'not_started'
  const startLabel = status === 'in_progress' ? t('continue') : status === 'completed' ? t('again') : t('start')
  // Repeating a completed lesson starts at its first step; otherwise the session resumes where the learner left off.
  const href = status === 'completed' ? talkHref(lesson, 0) : talkHref(lesson)
  return (
    <section aria-labelledby="progress" className="flex flex-col gap-3 rounded-xl bg-slate-50 p-4 dark:bg-slate-900">
      <h2 id="progress" className="text-lg font-semibold">
        {t('progress')}
      </h2>
      <p>
        {status === 'completed' && progress
          ? t('completed', { count: progress.completedCount, date: progress.completedAt ? dates.date(progress.completedAt) : '—' })
          : status === 'in_progress' && progress
            ? t('inProgress', { position: Math.min((progress.currentStepPosition ?? 0) + 1, Math.max(totalSteps, 1)), total: totalSteps })
            : t('notStarted')}
      </p>
      {progress && progress.minutesSpent >= 0.5 ? <p className="text-sm text-slate-700 dark:text-slate-300">{t('minutesSpent', { count: Math.round(progress.minutesSpent) })}</p> : null}
      <p>
        <Link href={href} className={`${linkButton} bg-blue-700 text-white hover:bg-blue-800`}>
          {startLabel}
        </Link>
      </p>
    </section>
  )
}
