import { cleanup, fireEvent, render, screen, within } from '@testing-library/react'
import { NextIntlClientProvider } from 'next-intl'
import type { ReactElement } from 'react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Appearance } from '@/components/settings/appearance'
import type { Theme } from '@/theme/config'
import common from '../../../messages/en/common.json'
import settings from '../../../messages/en/settings.json'
import { ThemeProvider, useTheme } from './theme-provider'
import { ThemeSelect } from './theme-select'

function renderThemed(ui: ReactElement, initialTheme: Theme = 'system') {
  return render(
    <NextIntlClientProvider locale="en" messages={{ common, settings }}>
      <ThemeProvider initialTheme={initialTheme}>{ui}</ThemeProvider>
    </NextIntlClientProvider>,
  )
}

function themeCookie(): string | undefined {
  return document.cookie
    .split('; ')
    .find((entry) => entry.startsWith('avaaz-theme='))
    ?.split('=')[1]
}

beforeEach(() => {
  // What the server renders for a learner who has not chosen: the device's look.
  document.documentElement.dataset.theme = 'system'
  document.head.innerHTML = '<meta name="theme-color" content="#ffffff" media="(prefers-color-scheme: light)"><meta name="theme-color" content="#020617" media="(prefers-color-scheme: dark)">'
})
afterEach(() => {
  cleanup()
  document.cookie = 'avaaz-theme=; max-age=0; path=/'
  delete document.documentElement.dataset.theme
  document.head.innerHTML = ''
})

describe('the theme choice', () => {
  it('shows the choice the server read from the cookie', () => {
    renderThemed(<ThemeSelect />, 'dark')
    expect((screen.getByLabelText('Theme') as HTMLSelectElement).value).toBe('dark')
    expect(screen.getAllByRole('option').map((option) => option.textContent)).toEqual(['System', 'Light', 'Dark'])
  })

  it('applies dark at once and remembers it on this device for the server to render', () => {
    renderThemed(<ThemeSelect />)
    fireEvent.change(screen.getByLabelText('Theme'), { target: { value: 'dark' } })
    expect(document.documentElement.dataset.theme).toBe('dark')
    expect(themeCookie()).toBe('dark')
    expect([...document.querySelectorAll<HTMLMetaElement>('meta[name="theme-color"]')].map((meta) => meta.content)).toEqual(['#020617', '#020617'])
    expect((screen.getByLabelText('Theme') as HTMLSelectElement).value).toBe('dark')
  })

  it('offers light, dark and the device’s look in settings, each explained, and keeps the header in step', () => {
    renderThemed(
      <>
        <ThemeSelect />
        <Appearance />
      </>,
    )
    const group = screen.getByRole('group', { name: 'Theme' })
    expect((within(group).getByLabelText(/^System/) as HTMLInputElement).checked).toBe(true)
    expect(within(group).getByText('Light or dark, as this device is set.')).toBeTruthy()
    fireEvent.click(within(group).getByLabelText(/^Light/))
    expect(document.documentElement.dataset.theme).toBe('light')
    expect(themeCookie()).toBe('light')
    expect((within(group).getByLabelText(/^Light/) as HTMLInputElement).checked).toBe(true)
    expect((screen.getByRole('combobox', { name: 'Theme' }) as HTMLSelectElement).value).toBe('light')
  })

  it('going back to the device’s look stores that too, so the server stops forcing one', () => {
    renderThemed(<Appearance />, 'dark')
    fireEvent.click(screen.getByLabelText(/^System/))
    expect(document.documentElement.dataset.theme).toBe('system')
    expect(themeCookie()).toBe('system')
  })

  it('needs the provider the root layout puts around every page', () => {
    function Orphan() {
      useTheme()
      return null
    }
    expect(() => render(<Orphan />)).toThrow(/ThemeProvider/)
  })
})
