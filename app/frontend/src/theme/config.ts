/** How the app looks: always light, always dark, or as the device is set. */
export const themes = ['system', 'light', 'dark'] as const
export type Theme = (typeof themes)[number]
export const defaultTheme: Theme = 'system'

/**
 * The cookie that carries the choice. The server reads it and renders `<html data-theme>`, so the
 * first paint is already in the right colours with no script before it (which the nonce CSP would
 * have to allow).
 */
export const themeCookie = 'avaaz-theme'

/** The page background in each look: the browser's toolbar and the installed app's title bar. */
export const themeColors = { light: '#ffffff', dark: '#020617' } as const

export function isTheme(value: unknown): value is Theme {
  return typeof value === 'string' && (themes as readonly string[]).includes(value)
}
