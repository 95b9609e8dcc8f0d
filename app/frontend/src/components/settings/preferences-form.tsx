'use client'
import { useTranslations } from 'next-intl'
import { useState, type FormEvent } from 'react'
import { Button } from '@/components/ui/button'
import { TextField } from '@/components/ui/text-field'
import { LanguageField, RadioGroupField } from './fields'
import { FormError, Saved } from './form-status'
import { explanationLanguageCodes, LANGUAGE_CODE } from './languages'
import { fieldErrorsFor, useSaveProfile, type Profile } from './save-profile'

type Preferences = Profile['preferences']

const FIELDS = [
  'preferences.greetingVerbosity',
  'preferences.correctionStyle',
  'preferences.explanationLanguage',
  'preferences.transcriptRetentionDays',
  'preferences.keepAudio',
] as const

const MAX_RETENTION_DAYS = 3650

/** How the tutor behaves and how long what the learner says is kept. */
export function PreferencesForm({ profile }: { profile: Profile }) {
  const t = useTranslations('settings.preferences')
  const fieldsT = useTranslations('settings.fields')
  const save = useSaveProfile()
  const initial = profile.preferences
  const [greetingVerbosity, setGreetingVerbosity] = useState<Preferences['greetingVerbosity']>(initial.greetingVerbosity)
  const [correctionStyle, setCorrectionStyle] = useState<Preferences['correctionStyle']>(initial.correctionStyle)
  const [explanationLanguage, setExplanationLanguage] = useState<string | null>(initial.explanationLanguage)
  const [retention, setRetention] = useState<'forever' | 'days'>(initial.transcriptRetentionDays === null ? 'forever' : 'days')
  const [retentionDays, setRetentionDays] = useState(String(initial.transcriptRetentionDays ?? 90))
  const [keepAudio, setKeepAudio] = useState(initial.keepAudio)
  const [clientErrors, setClientErrors] = useState<Record<string, string>>({})
  const server = fieldErrorsFor(save.error, FIELDS)
  const errors: Record<string, string | undefined> = { ...server.fields, ...clientErrors }

  function edited() {
    if (save.isSuccess) save.reset()
  }

  function submit(event: FormEvent) {
    event.preventDefault()
    const problems: Record<string, string> = {}
    const days = Number(retentionDays)
    if (retention === 'days' && !(Number.isInteger(days) && days >= 1 && days <= MAX_RETENTION_DAYS)) {
      problems['preferences.transcriptRetentionDays'] = t('retentionDaysInvalid', { max: MAX_RETENTION_DAYS })
    }
    if (!explanationLanguage || !LANGUAGE_CODE.test(explanationLanguage)) problems['preferences.explanationLanguage'] = fieldsT('languageCodeInvalid')
    setClientErrors(problems)
    if (Object.keys(problems).length > 0) return
    save.mutate({
      preferences: {
        greetingVerbosity,
        correctionStyle,
        explanationLanguage: explanationLanguage!,
        transcriptRetentionDays: retention === 'forever' ? null : days,
        keepAudio,
      },
    })
  }

  return (
    <form noValidate onSubmit={submit} onChange={edited} className="flex flex-col gap-5">
      <FormError error={save.error} fieldsShown={Object.keys(server.fields).length > 0} />
      <RadioGroupField
        legend={t('greetingVerbosity')}
        name="greetingVerbosity"
        value={greetingVerbosity}
        onChange={setGreetingVerbosity}
        error={errors['preferences.greetingVerbosity']}
        choices={(['brief', 'normal', 'detailed'] as const).map((value) => ({ value, label: t(`verbosity.${value}`), description: t(`verbosity.${value}Description`) }))}
      />
      <RadioGroupField
        legend={t('correctionStyle')}
        name="correctionStyle"
        value={correctionStyle}
        onChange={setCorrectionStyle}
        error={errors['preferences.correctionStyle']}
        choices={(['immediate', 'end_of_turn', 'end_of_session'] as const).map((value) => ({ value, label: t(`correction.${value}`), description: t(`correction.${value}Description`) }))}
      />
      <LanguageField
        label={t('explanationLanguage')}
        hint={t('explanationLanguageHint')}
        codes={explanationLanguageCodes}
        value={explanationLanguage}
        onChange={(value) => {
          setExplanationLanguage(value)
          edited()
        }}
        error={errors['preferences.explanationLanguage']}
      />
      <RadioGroupField
        legend={t('retention')}
        hint={t('retentionHint')}
        name="retention"
        value={retention}
        onChange={setRetention}
        error={retention === 'forever' ? errors['preferences.transcriptRetentionDays'] : undefined}
        choices={[
          { value: 'forever', label: t('retentionForever') },
          { value: 'days', label: t('retentionLimited') },
        ]}
      />
      {retention === 'days' ? (
        <TextField
          type="number"
          inputMode="numeric"
          min={1}
          max={MAX_RETENTION_DAYS}
          label={t('retentionDays')}
          value={retentionDays}
          onChange={(event) => setRetentionDays(event.target.value)}
          error={errors['preferences.transcriptRetentionDays']}
          className="max-w-48"
        />
      ) : null}
      <label className="flex items-start gap-3">
        <input type="checkbox" checked={keepAudio} onChange={(event) => setKeepAudio(event.target.checked)} className="mt-1 size-4 shrink-0" aria-describedby="keep-audio-hint" />
        <span className="flex flex-col">
          <span className="font-medium">{t('keepAudio')}</span>
          <span id="keep-audio-hint" className="text-sm text-slate-600 dark:text-slate-400">
            {t('keepAudioHint')}
          </span>
        </span>
      </label>
      {errors['preferences.keepAudio'] ? <p className="text-sm text-red-700 dark:text-red-400">{errors['preferences.keepAudio']}</p> : null}
      <div className="flex flex-wrap items-center gap-4">
        <Button type="submit" busy={save.isPending}>
          {t('save')}
        </Button>
        <Saved show={save.isSuccess}>{t('saved')}</Saved>
      </div>
    </form>
  )
}
