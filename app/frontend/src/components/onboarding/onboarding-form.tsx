'use client'
import { useTranslations } from 'next-intl'
import { useRouter } from 'next/navigation'
import { useId, useMemo, useState, type FormEvent, type ReactNode } from 'react'
import { Button } from '@/components/ui/button'
import { useExamChoices, useLevelChoices, type ExamChoice } from '@/components/settings/choices'
import { LanguageField, RadioGroupField, TimeZoneField } from '@/components/settings/fields'
import { FormError } from '@/components/settings/form-status'
import { deviceTimeZone, explanationLanguageCodes, LANGUAGE_CODE, nativeLanguageCodes } from '@/components/settings/languages'
import { cefrLevels, fieldErrorsFor, useSaveProfile, type CefrLevel, type Profile } from '@/components/settings/save-profile'
import { useMe } from '@/lib/queries'
import { AssessmentChecklist, useAssessmentDescriptors } from './assessment-checklist'
import { examForLevel, suggestLevel } from './self-assessment'

const FIELDS = ['targetLevel', 'examGoal', 'nativeLanguage', 'timeZone', 'preferences.explanationLanguage'] as const

function Step({ number, title, hint, children }: { number: number; title: string; hint?: string; children: ReactNode }) {
  const id = useId()
  return (
    <section aria-labelledby={id} className="flex flex-col gap-4 border-t border-slate-200 pt-6 dark:border-slate-800">
      <div>
        <h2 id={id} className="text-xl font-semibold">
          <span aria-hidden className="me-2 inline-flex size-7 items-center justify-center rounded-full bg-blue-700 text-sm text-white">
            {number}
          </span>
          {title}
        </h2>
        {hint ? <p className="mt-1 text-slate-600 dark:text-slate-400">{hint}</p> : null}
      </div>
      {children}
    </section>
  )
}

export function OnboardingForm() {
  // The shell renders pages only once the profile has loaded.
  const { data: profile } = useMe()
  return profile ? <Onboarding profile={profile} /> : null
}

/**
 * Target level (from a short can-do self-assessment, which the learner can overrule), exam goal and
 * languages, saved in one PATCH that also marks onboarding as finished (the shell's guard reads
 * `onboardedAt`). Coming back to it later edits the same answers.
 */
function Onboarding({ profile }: { profile: Profile }) {
  const t = useTranslations('onboarding')
  const router = useRouter()
  const levelChoices = useLevelChoices()
  const examChoices = useExamChoices()
  const descriptors = useAssessmentDescriptors()
  const save = useSaveProfile()
  const [checked, setChecked] = useState<ReadonlySet<string>>(new Set())
  // null: follow the suggestion (the learner has not picked one themselves).
  const [levelChoice, setLevelChoice] = useState<CefrLevel | null>(profile.targetLevel)
  const [examChoice, setExamChoice] = useState<ExamChoice | null>(profile.targetLevel ? (profile.examGoal ?? 'none') : null)
  const [nativeLanguage, setNativeLanguage] = useState(profile.nativeLanguage)
  const [explanationLanguage, setExplanationLanguage] = useState<string | null>(profile.preferences.explanationLanguage)
  // A first-time learner's profile has the server's default zone; the device knows better.
  const [timeZone, setTimeZone] = useState(() => (profile.targetLevel ? profile.timeZone : (deviceTimeZone() ?? profile.timeZone)))
  const [clientErrors, setClientErrors] = useState<Record<string, string>>({})

  const suggestion = useMemo(
    () =>
      suggestLevel(
        Object.fromEntries(
          cefrLevels.map((level) => [level, { asked: descriptors.byLevel[level].length, ticked: descriptors.byLevel[level].filter((objective) => checked.has(objective.id)).length }]),
        ) as Record<CefrLevel, { ticked: number; asked: number }>,
      ),
    [descriptors.byLevel, checked],
  )
  const targetLevel = levelChoice ?? suggestion.level
  const examGoal = examChoice ?? examForLevel(targetLevel)
  const server = fieldErrorsFor(save.error, FIELDS)
  const errors: Record<string, string | undefined> = { ...server.fields, ...clientErrors }

  function submit(event: FormEvent) {
    event.preventDefault()
    const problems: Record<string, string> = {}
    if (nativeLanguage && !LANGUAGE_CODE.test(nativeLanguage)) problems.nativeLanguage = t('languageCodeInvalid')
    if (!explanationLanguage || !LANGUAGE_CODE.test(explanationLanguage)) problems['preferences.explanationLanguage'] = t('languageCodeInvalid')
    setClientErrors(problems)
    if (Object.keys(problems).length > 0) return
    save.mutate(
      {
        targetLevel,
        examGoal: examGoal === 'none' ? null : examGoal,
        nativeLanguage: nativeLanguage || null,
        timeZone,
        preferences: { explanationLanguage: explanationLanguage! },
        onboarded: true,
      },
      { onSuccess: () => router.replace('/home') },
    )
  }

  const suggested = (level: CefrLevel) => (level === suggestion.level ? <span className="ms-2 rounded-full bg-blue-100 px-2 py-0.5 text-xs font-medium text-blue-900 dark:bg-blue-900 dark:text-blue-100">{t('suggestedBadge')}</span> : null)
  const examSuggestion = examForLevel(targetLevel)

  return (
    <form noValidate onSubmit={submit} className="mx-auto flex max-w-2xl flex-col gap-8">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight sm:text-3xl">{t('title', { name: profile.name })}</h1>
        <p className="mt-2 text-lg text-slate-700 dark:text-slate-300">{t('lead')}</p>
      </div>

      <Step number={1} title={t('assessment.title')} hint={t('assessment.hint')}>
        <AssessmentChecklist
          descriptors={descriptors}
          checked={checked}
          onToggle={(id, on) =>
            setChecked((previous) => {
              const next = new Set(previous)
              if (on) next.add(id)
              else next.delete(id)
              return next
            })
          }
        />
        <div role="status" className="rounded-lg bg-blue-50 px-4 py-3 dark:bg-blue-950">
          <p className="font-semibold">{t('assessment.suggestion', { level: suggestion.level })}</p>
          <p className="text-sm">
            {suggestion.reachedLevel === null
              ? t('assessment.reasonStart')
              : suggestion.reachedLevel === suggestion.level
                ? t('assessment.reasonTop', { level: suggestion.level })
                : t('assessment.reasonNext', { reached: suggestion.reachedLevel, level: suggestion.level })}
          </p>
        </div>
      </Step>

      <Step number={2} title={t('level.title')} hint={t('level.hint')}>
        <RadioGroupField
          legend={<span className="sr-only">{t('level.title')}</span>}
          name="targetLevel"
          value={targetLevel}
          onChange={setLevelChoice}
          error={errors.targetLevel}
          choices={levelChoices.map((choice) => ({ ...choice, label: <>{choice.label}{suggested(choice.value)}</> }))}
        />
        {levelChoice !== null && levelChoice !== suggestion.level ? (
          <p className="flex flex-wrap items-center gap-2 text-sm">
            {t('level.overridden', { chosen: levelChoice, suggested: suggestion.level })}
            <button type="button" className="font-medium text-blue-700 underline underline-offset-2 dark:text-blue-300" onClick={() => setLevelChoice(null)}>
              {t('level.useSuggestion')}
            </button>
          </p>
        ) : null}
      </Step>

      <Step number={3} title={t('exam.title')} hint={t('exam.hint')}>
        <RadioGroupField
          legend={<span className="sr-only">{t('exam.title')}</span>}
          name="examGoal"
          value={examGoal}
          onChange={setExamChoice}
          error={errors.examGoal}
          choices={examChoices.map((choice) => ({
            ...choice,
            label: (
              <>
                {choice.label}
                {choice.value === examSuggestion ? <span className="ms-2 rounded-full bg-blue-100 px-2 py-0.5 text-xs font-medium text-blue-900 dark:bg-blue-900 dark:text-blue-100">{t('exam.fitsLevel', { level: targetLevel })}</span> : null}
              </>
            ),
          }))}
        />
      </Step>

      <Step number={4} title={t('languages.title')} hint={t('languages.hint')}>
        <LanguageField label={t('languages.native')} codes={nativeLanguageCodes} value={nativeLanguage} onChange={setNativeLanguage} none={t('languages.nativeNone')} error={errors.nativeLanguage} />
        <LanguageField
          label={t('languages.explanation')}
          hint={t('languages.explanationHint')}
          codes={explanationLanguageCodes}
          value={explanationLanguage}
          onChange={setExplanationLanguage}
          error={errors['preferences.explanationLanguage']}
        />
        <TimeZoneField value={timeZone} onChange={setTimeZone} error={errors.timeZone} />
      </Step>

      <div className="flex flex-col gap-3 border-t border-slate-200 pt-6 dark:border-slate-800">
        <FormError error={save.error} fieldsShown={Object.keys(server.fields).length > 0} />
        <p className="text-sm text-slate-600 dark:text-slate-400">{t('laterInSettings')}</p>
        <Button type="submit" busy={save.isPending} className="self-start px-6 text-lg">
          {t('submit')}
        </Button>
      </div>
    </form>
  )
}
