import { cookies } from 'next/headers'
import { defaultTheme, isTheme, themeCookie, type Theme } from './config'

/** The look the learner chose on this device, or the device's own. */
export async function requestTheme(): Promise<Theme> {
  const chosen = (await cookies()).get(themeCookie)?.value
  return isTheme(chosen) ? chosen : defaultTheme
}
