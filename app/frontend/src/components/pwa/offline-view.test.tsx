import { cleanup, fireEvent, render, screen } from '@testing-library/react'
import { NextIntlClientProvider } from 'next-intl'
import { afterEach, describe, expect, it, vi } from 'vitest'
import enCommon from '../../../messages/en/common.json'
import nbCommon from '../../../messages/nb/common.json'
import { OfflineView, retryPage } from './offline-view'

afterEach(cleanup)

function renderOffline(locale: 'en' | 'nb', onRetry = vi.fn()) {
  render(
    <NextIntlClientProvider locale={locale} messages={{ common: locale === 'en' ? enCommon : nbCommon }}>
      <OfflineView onRetry={onRetry} />
    </NextIntlClientProvider>,
  )
  return onRetry
}

describe('the offline page', () => {
  it('says the learner is offline and that the tutor needs a connection', () => {
    renderOffline('en')
    expect(screen.getByRole('heading', { level: 1, name: 'You are offline' })).toBeTruthy()
    expect(screen.getByText(/Your tutor listens and answers over the connection/)).toBeTruthy()
    expect(screen.getByRole('main').id).toBe('main')
  })

  it('is in Norwegian for a Norwegian UI', () => {
    renderOffline('nb')
    expect(screen.getByRole('heading', { level: 1, name: 'Du er frakoblet' })).toBeTruthy()
    expect(screen.getByRole('button', { name: 'Prøv igjen' })).toBeTruthy()
  })

  it('tries again from the button, and by itself when the connection comes back', () => {
    const onRetry = renderOffline('en')
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }))
    expect(onRetry).toHaveBeenCalledTimes(1)
    window.dispatchEvent(new Event('online'))
    expect(onRetry).toHaveBeenCalledTimes(2)
  })

  it('trying again reloads the page the learner asked for, or goes to the start page from /offline itself', () => {
    const at = (pathname: string) => ({ pathname, reload: vi.fn(), assign: vi.fn() })
    const page = at('/lessons')
    retryPage(page)
    expect(page.reload).toHaveBeenCalled()
    expect(page.assign).not.toHaveBeenCalled()
    const offline = at('/offline')
    retryPage(offline)
    expect(offline.assign).toHaveBeenCalledWith('/')
    expect(offline.reload).not.toHaveBeenCalled()
  })
})
