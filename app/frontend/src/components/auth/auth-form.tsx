'use client'
import type { FormEvent, ReactNode, RefObject } from 'react'
import { Alert } from '@/components/ui/alert'
import { Button } from '@/components/ui/button'
import { AuthHeading } from './auth-heading'

export interface AuthFormProps {
  title: string
  lead: string
  /** The failure message; the wrapper takes focus after a failed submit (see useFormSubmission). */
  alert: ReactNode
  alertRef: RefObject<HTMLDivElement | null>
  formRef: RefObject<HTMLFormElement | null>
  onSubmit: (event: FormEvent<HTMLFormElement>) => void
  submitLabel: string
  busy: boolean
  /** Shown above the error (e.g. sign-in's "address not confirmed yet" with resend). */
  notice?: ReactNode
  /** Links under the form. */
  footer?: ReactNode
  /** The fields. */
  children: ReactNode
}

/** The frame every auth form shares: heading and lead, a focusable error, the form, one submit button. */
export function AuthForm(props: AuthFormProps) {
  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-col gap-2">
        <AuthHeading>{props.title}</AuthHeading>
        <p className="text-slate-700 dark:text-slate-300">{props.lead}</p>
      </div>
      {props.notice}
      {props.alert ? (
        <div ref={props.alertRef} tabIndex={-1} className="outline-none">
          <Alert tone="error">{props.alert}</Alert>
        </div>
      ) : null}
      <form ref={props.formRef} noValidate onSubmit={props.onSubmit} className="flex flex-col gap-4">
        {props.children}
        <Button type="submit" busy={props.busy} className="w-full sm:w-auto sm:self-start">
          {props.submitLabel}
        </Button>
      </form>
      {props.footer}
    </div>
  )
}
