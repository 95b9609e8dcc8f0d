'use client'
import { useTranslations } from 'next-intl'
import { useState, type FormEvent } from 'react'
import { Button } from '@/components/ui/button'
import { TextField } from '@/components/ui/text-field'
import { useExamChoices, useLevelChoices, type ExamChoice } from './choices'
import { LanguageField, RadioGroupField, TimeZoneField } from './fields'
import { FormError, Saved } from './form-status'
import { LANGUAGE_CODE, nativeLanguageCodes } from './languages'
import { fieldErrorsFor, useSaveProfile, type CefrLevel, type Profile } from './save-profile'

const FIELDS = ['name', 'nativeLanguage', 'timeZone', 'targetLevel', 'examGoal', 'examDate'] as const

/** Name, native language, time zone, target level, exam goal and date; saved together. */
export function ProfileForm({ profile }: { profile: Profile }) {
  const t = useTranslations('settings.profile')
  const fieldsT = useTranslations('settings.fields')
  const levelChoices = useLevelChoices()
  const examChoices = useExamChoices()
  const save = useSaveProfile()
  const [name, setName] = useState(profile.name)
  const [nativeLanguage, setNativeLanguage] = useState(profile.nativeLanguage)
  const [timeZone, setTimeZone] = useState(profile.timeZone)
  const [targetLevel, setTargetLevel] = useState<CefrLevel>(profile.targetLevel ?? 'A1')
  const [examGoal, setExamGoal] = useState<ExamChoice>(profile.examGoal ?? 'none')
  const [examDate, setExamDate] = useState(profile.examDate ?? '')
  const [clientErrors, setClientErrors] = useState<Record<string, string>>({})
  const server = fieldErrorsFor(save.error, FIELDS)
  const errors = { ...server.fields, ...clientErrors }

  function edited() {
    if (save.isSuccess) save.reset()
  }

  function submit(event: FormEvent) {
    event.preventDefault()
    const problems: Record<string, string> = {}
    if (!name.trim()) problems.name = t('nameRequired')
    if (nativeLanguage && !LANGUAGE_CODE.test(nativeLanguage)) problems.nativeLanguage = fieldsT('languageCodeInvalid')
    setClientErrors(problems)
    if (Object.keys(problems).length > 0) return
    save.mutate({
      name: name.trim(),
      nativeLanguage: nativeLanguage || null,
      timeZone,
      targetLevel,
      examGoal: examGoal === 'none' ? null : examGoal,
      examDate: examGoal === 'none' || !examDate ? null : examDate,
    })
  }

  return (
    <form noValidate onSubmit={submit} onChange={edited} className="flex flex-col gap-5">
      <FormError error={save.error} fieldsShown={Object.keys(server.fields).length > 0} />
      <TextField label={t('name')} value={name} onChange={(event) => setName(event.target.value)} error={errors.name} autoComplete="name" maxLength={80} required />
      <LanguageField label={t('nativeLanguage')} codes={nativeLanguageCodes} value={nativeLanguage} onChange={(value) => { setNativeLanguage(value); edited() }} none={t('nativeLanguageNone')} error={errors.nativeLanguage} />
      <TimeZoneField value={timeZone} onChange={(value) => { setTimeZone(value); edited() }} error={errors.timeZone} />
      <RadioGroupField legend={t('targetLevel')} hint={t('targetLevelHint')} name="targetLevel" value={targetLevel} onChange={setTargetLevel} choices={levelChoices} error={errors.targetLevel} />
      <RadioGroupField legend={t('examGoal')} name="examGoal" value={examGoal} onChange={setExamGoal} choices={examChoices} error={errors.examGoal} />
      {examGoal === 'none' ? null : (
        <TextField type="date" label={t('examDate')} hint={t('examDateHint')} value={examDate} onChange={(event) => setExamDate(event.target.value)} error={errors.examDate} />
      )}
      <div className="flex flex-wrap items-center gap-4">
        <Button type="submit" busy={save.isPending}>
          {t('save')}
        </Button>
        <Saved show={save.isSuccess}>{t('saved')}</Saved>
      </div>
    </form>
  )
}
