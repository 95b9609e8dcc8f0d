import { dictionary } from '@zxcvbn-ts/language-common'

/**
 * OWASP ASVS 5 level 2 (V6.2): at least 8 characters, at least 64 allowed (we allow 128), no
 * composition rules, and not one of the most common passwords. The list is zxcvbn's common-password
 * dictionary (~49k leaked passwords, most frequent first); only those that pass the length rule matter.
 */
export const PASSWORD_MIN_LENGTH = 8
export const PASSWORD_MAX_LENGTH = 128

let commonPasswords: Set<string> | undefined

function loadCommonPasswords(): Set<string> {
  commonPasswords ??= new Set(
    (dictionary['passwords-common'] as string[]).filter((password) => password.length >= PASSWORD_MIN_LENGTH).map((password) => password.toLowerCase()),
  )
  return commonPasswords
}

/** Why a password is not acceptable, or undefined when it is. */
export function passwordProblem(password: string): string | undefined {
  // Length in code points, so a password of emoji or non-Latin letters is measured as people see it.
  const length = [...password].length
  if (length < PASSWORD_MIN_LENGTH) return `The password must be at least ${PASSWORD_MIN_LENGTH} characters long.`
  if (length > PASSWORD_MAX_LENGTH) return `The password must be at most ${PASSWORD_MAX_LENGTH} characters long.`
  if (loadCommonPasswords().has(password.toLowerCase())) {
    return 'This password is among the most commonly used passwords and easy to guess. Please choose another one.'
  }
  return undefined
}
