/**
 * Client-side checks that mirror the server's rules (better-auth and our password policy), so most
 * mistakes are caught before a rate-limited request is spent. The server stays the authority: its
 * answers are mapped onto the same fields (see `auth-errors.ts`).
 *
 * Each check returns a key under `auth.validation` in the message files, or undefined when fine.
 */
export const PASSWORD_MIN_LENGTH = 8
export const PASSWORD_MAX_LENGTH = 128
export const NAME_MAX_LENGTH = 80

// Deliberately loose: something@domain.tld, no spaces. The server's check is stricter and its
// answer lands on the email field too.
const EMAIL_SHAPE = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/

export type ValidationKey =
  | 'nameRequired'
  | 'nameTooLong'
  | 'emailRequired'
  | 'emailInvalid'
  | 'passwordRequired'
  | 'newPasswordRequired'
  | 'passwordTooShort'
  | 'passwordTooLong'

export function checkName(name: string): ValidationKey | undefined {
  const trimmed = name.trim()
  if (!trimmed) return 'nameRequired'
  if ([...trimmed].length > NAME_MAX_LENGTH) return 'nameTooLong'
  return undefined
}

export function checkEmail(email: string): ValidationKey | undefined {
  const trimmed = email.trim()
  if (!trimmed) return 'emailRequired'
  if (!EMAIL_SHAPE.test(trimmed)) return 'emailInvalid'
  return undefined
}

export function isEmailShaped(email: string): boolean {
  return checkEmail(email) === undefined
}

/** A password being signed in with: only required (its length was checked when it was chosen). */
export function checkCurrentPassword(password: string): ValidationKey | undefined {
  return password ? undefined : 'passwordRequired'
}

/** A password being chosen: 8 to 128 characters, counted as people see them (code points), as the server does. */
export function checkNewPassword(password: string): ValidationKey | undefined {
  if (!password) return 'newPasswordRequired'
  const length = [...password].length
  if (length < PASSWORD_MIN_LENGTH) return 'passwordTooShort'
  if (length > PASSWORD_MAX_LENGTH) return 'passwordTooLong'
  return undefined
}
