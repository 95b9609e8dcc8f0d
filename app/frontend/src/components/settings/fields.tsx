'use client'
import { useLocale, useTranslations } from 'next-intl'
import { useId, useState, type ReactNode, type SelectHTMLAttributes } from 'react'
import { TextField } from '@/components/ui/text-field'
import { deviceTimeZone, LANGUAGE_CODE, languageOptions, timeZoneOptions } from './languages'

const controlClass = 'min-h-11 rounded-lg border border-slate-300 bg-white px-3 py-2 text-base dark:border-slate-600 dark:bg-slate-900 aria-[invalid]:border-red-600'

function Described({ id, hint, error }: { id: string; hint?: string | undefined; error?: string | undefined }) {
  return (
    <>
      {hint ? (
        <p id={`${id}-hint`} className="text-sm text-slate-600 dark:text-slate-400">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-error`} className="text-sm text-red-700 dark:text-red-400">
          {error}
        </p>
      ) : null}
    </>
  )
}

function describedBy(id: string, hint?: string, error?: string): string | undefined {
  return [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined
}

export interface SelectFieldProps extends Omit<SelectHTMLAttributes<HTMLSelectElement>, 'children'> {
  label: string
  options: Array<{ value: string; label: string }>
  error?: string | undefined
  hint?: string | undefined
}

/** A labelled native select, with its hint and error linked like TextField's. */
export function SelectField({ label, options, error, hint, id, className = '', ...props }: SelectFieldProps) {
  const generated = useId()
  const selectId = id ?? generated
  return (
    <div className={`flex flex-col gap-1 ${className}`}>
      <label htmlFor={selectId} className="font-medium">
        {label}
      </label>
      <select {...props} id={selectId} aria-invalid={error ? true : undefined} aria-describedby={describedBy(selectId, hint, error)} className={controlClass}>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      <Described id={selectId} hint={hint} error={error} />
    </div>
  )
}

export interface Choice<T extends string> {
  value: T
  label: ReactNode
  description?: ReactNode
}

/** Radio buttons in a fieldset: the legend names the group, each option can explain itself. */
export function RadioGroupField<T extends string>({
  legend,
  name,
  value,
  onChange,
  choices,
  error,
  hint,
}: {
  legend: ReactNode
  name: string
  value: T | null
  onChange: (value: T) => void
  choices: Array<Choice<T>>
  error?: string | undefined
  hint?: string | undefined
}) {
  const id = useId()
  return (
    <fieldset aria-describedby={describedBy(id, hint, error)} aria-invalid={error ? true : undefined} className="flex flex-col gap-2">
      <legend className="mb-1 font-medium">{legend}</legend>
      <Described id={id} hint={hint} />
      {choices.map((choice) => (
        <label
          key={choice.value}
          className="flex cursor-pointer items-start gap-3 rounded-lg border border-slate-200 p-3 has-[:checked]:border-blue-600 has-[:checked]:bg-blue-50 dark:border-slate-700 dark:has-[:checked]:border-blue-400 dark:has-[:checked]:bg-blue-950"
        >
          <input type="radio" name={name} value={choice.value} checked={value === choice.value} onChange={() => onChange(choice.value)} className="mt-1 size-4 shrink-0" />
          <span className="flex flex-col">
            <span className="font-medium">{choice.label}</span>
            {choice.description ? <span className="text-sm text-slate-600 dark:text-slate-400">{choice.description}</span> : null}
          </span>
        </label>
      ))}
      <Described id={id} error={error} />
    </fieldset>
  )
}

const OTHER = '__other'
const NONE = ''

/**
 * A language from the list, or "another language" typed as a code. `none` adds an empty choice
 * (for "prefer not to say"); without it a language is required.
 */
export function LanguageField({
  label,
  codes,
  value,
  onChange,
  none,
  error,
  hint,
}: {
  label: string
  codes: readonly string[]
  value: string | null
  onChange: (value: string | null) => void
  none?: string
  error?: string | undefined
  hint?: string | undefined
}) {
  const t = useTranslations('settings.fields')
  const locale = useLocale()
  const [options] = useState(() => languageOptions(codes, locale, value))
  const [typing, setTyping] = useState(false)
  const listed = value !== null && options.some((option) => option.value === value)
  const selectValue = typing ? OTHER : value === null ? NONE : listed ? value : OTHER
  const typed = selectValue === OTHER
  const codeError = typed && value && !LANGUAGE_CODE.test(value) ? t('languageCodeInvalid') : undefined
  return (
    <div className="flex flex-col gap-3">
      <SelectField
        label={label}
        hint={hint}
        error={typed ? undefined : error}
        value={selectValue}
        options={[...(none ? [{ value: NONE, label: none }] : []), ...options, { value: OTHER, label: t('otherLanguage') }]}
        onChange={(event) => {
          const next = event.target.value
          setTyping(next === OTHER)
          onChange(next === OTHER ? '' : next === NONE ? null : next)
        }}
      />
      {typed ? (
        <TextField
          label={t('languageCode', { field: label })}
          hint={t('languageCodeHint')}
          error={codeError ?? error}
          value={value ?? ''}
          autoComplete="off"
          spellCheck={false}
          onChange={(event) => onChange(event.target.value.trim())}
        />
      ) : null}
    </div>
  )
}

/** The time zone (streaks and days are counted in it), with a shortcut to this device's. */
export function TimeZoneField({ value, onChange, error }: { value: string; onChange: (value: string) => void; error?: string | undefined }) {
  const t = useTranslations('settings.fields')
  const [zones] = useState(() => timeZoneOptions(value))
  const device = deviceTimeZone()
  return (
    <div className="flex flex-col gap-2">
      <SelectField
        label={t('timeZone')}
        hint={t('timeZoneHint')}
        error={error}
        value={value}
        options={(zones.includes(value) ? zones : [value, ...zones]).map((zone) => ({ value: zone, label: zone.replaceAll('_', ' ') }))}
        onChange={(event) => onChange(event.target.value)}
      />
      {device && device !== value ? (
        <button type="button" className="self-start text-sm font-medium text-blue-700 underline underline-offset-2 dark:text-blue-300" onClick={() => onChange(device)}>
          {t('useDeviceTimeZone', { zone: device.replaceAll('_', ' ') })}
        </button>
      ) : null}
    </div>
  )
}
