'use client'
import { useState } from 'react'
import { TextField, type TextFieldProps } from '@/components/ui/text-field'

/** A password input with a "show password" switch, so people can check what they typed (WCAG 3.3.8). */
export function PasswordField({ showLabel, ...props }: Omit<TextFieldProps, 'type'> & { showLabel: string }) {
  const [visible, setVisible] = useState(false)
  return (
    <div className="flex flex-col gap-1">
      <TextField {...props} type={visible ? 'text' : 'password'} autoCapitalize="none" autoCorrect="off" spellCheck={false} />
      <label className="inline-flex min-h-11 items-center gap-2 self-start text-sm">
        <input type="checkbox" className="size-4" checked={visible} onChange={(event) => setVisible(event.target.checked)} />
        {showLabel}
      </label>
    </div>
  )
}
