import type { MailMessage } from '../../core/mail/mailer.js'

export type MailLocale = 'en' | 'nb'

interface LinkMail {
  to: string
  name: string
  url: string
  locale: MailLocale
}

const verifyEmailText = {
  en: (name: string, url: string) => ({
    subject: 'Confirm your email address for Avaaz',
    text: `Hi ${name},\n\nWelcome to Avaaz! Confirm your email address by opening this link:\n\n${url}\n\nThe link is valid for 24 hours. If you did not create an account, you can ignore this message.\n\n— Avaaz`,
  }),
  nb: (name: string, url: string) => ({
    subject: 'Bekreft e-postadressen din for Avaaz',
    text: `Hei ${name},\n\nVelkommen til Avaaz! Bekreft e-postadressen din ved å åpne denne lenken:\n\n${url}\n\nLenken gjelder i 24 timer. Hvis du ikke har opprettet en konto, kan du se bort fra denne e-posten.\n\nHilsen Avaaz`,
  }),
}

const resetPasswordText = {
  en: (name: string, url: string) => ({
    subject: 'Reset your Avaaz password',
    text: `Hi ${name},\n\nSomeone (hopefully you) asked to reset the password of your Avaaz account. Choose a new password here:\n\n${url}\n\nThe link is valid for one hour and can be used once. If you did not ask for this, ignore this message; your password stays the same.\n\n— Avaaz`,
  }),
  nb: (name: string, url: string) => ({
    subject: 'Tilbakestill passordet ditt i Avaaz',
    text: `Hei ${name},\n\nNoen (forhåpentligvis du) har bedt om å tilbakestille passordet til Avaaz-kontoen din. Velg et nytt passord her:\n\n${url}\n\nLenken gjelder i én time og kan bare brukes én gang. Hvis du ikke har bedt om dette, kan du se bort fra e-posten; passordet ditt forblir det samme.\n\nHilsen Avaaz`,
  }),
}

export function verifyEmailMail({ to, name, url, locale }: LinkMail): MailMessage {
  return { to, ...verifyEmailText[locale](name, url) }
}

export function resetPasswordMail({ to, name, url, locale }: LinkMail): MailMessage {
  return { to, ...resetPasswordText[locale](name, url) }
}

export function mailLocale(locale: unknown): MailLocale {
  return locale === 'nb' ? 'nb' : 'en'
}
