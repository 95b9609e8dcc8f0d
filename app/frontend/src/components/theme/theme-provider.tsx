'use client'
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react'
import { themeColors, themeCookie, type Theme } from '@/theme/config'

interface ThemeState {
  theme: Theme
  /** Applies at once (no reload, works offline) and is remembered on this device. */
  setTheme(theme: Theme): void
}

const ThemeContext = createContext<ThemeState | null>(null)

/** The look chosen on this device; the root layout passes what the server read from the cookie. */
export function ThemeProvider({ initialTheme, children }: { initialTheme: Theme; children: ReactNode }) {
  const [theme, setState] = useState(initialTheme)
  const setTheme = useCallback((next: Theme) => {
    document.cookie = `${themeCookie}=${next}; path=/; max-age=31536000; samesite=lax`
    document.documentElement.dataset.theme = next
    updateThemeColor(next)
    setState(next)
  }, [])
  const value = useMemo(() => ({ theme, setTheme }), [theme, setTheme])
  return <ThemeContext.Provider value={value}>{children}</ThemeContext.Provider>
}

export function useTheme(): ThemeState {
  const state = useContext(ThemeContext)
  if (!state) throw new Error('useTheme needs a ThemeProvider around it (the root layout has one).')
  return state
}

/** The browser's toolbar follows now rather than at the next page load. */
function updateThemeColor(theme: Theme) {
  const dark = theme === 'dark' || (theme === 'system' && window.matchMedia?.('(prefers-color-scheme: dark)').matches === true)
  for (const meta of document.querySelectorAll<HTMLMetaElement>('meta[name="theme-color"]')) {
    meta.content = dark ? themeColors.dark : themeColors.light
  }
}
