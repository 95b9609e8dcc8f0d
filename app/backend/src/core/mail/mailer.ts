import { randomUUID } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import nodemailer from 'nodemailer'
import { z } from 'zod'
import type { Config } from '../config.js'
import { defineJob } from '../jobs.js'

export const mailMessageSchema = z.object({
  to: z.email(),
  subject: z.string().min(1).max(200),
  text: z.string().min(1),
  html: z.string().optional(),
})
export type MailMessage = z.infer<typeof mailMessageSchema>

export interface MailTransport {
  send(message: MailMessage): Promise<void>
}

/** Development and tests: every message becomes a JSON file in the outbox directory. */
export function outboxTransport(outboxDir: string, from: string): MailTransport {
  return {
    async send(message) {
      mkdirSync(outboxDir, { recursive: true, mode: 0o700 })
      const createdAt = new Date().toISOString()
      const id = randomUUID()
      // The timestamp prefix makes file names sort in sending order.
      const file = path.join(outboxDir, `${createdAt.replace(/[:.]/g, '-')}-${id}.json`)
      writeFileSync(file, JSON.stringify({ id, createdAt, from, ...message }, null, 2), { mode: 0o600 })
    },
  }
}

export function smtpTransport(smtpUrl: string, from: string): MailTransport {
  const transporter = nodemailer.createTransport(smtpUrl, { from })
  return {
    async send(message) {
      await transporter.sendMail({ from, ...message })
    },
  }
}

export function createMailTransport(mail: Config['mail']): MailTransport {
  return mail.transport === 'smtp' ? smtpTransport(mail.smtpUrl, mail.from) : outboxTransport(mail.outboxDir, mail.from)
}

/**
 * Mail is sent by a job, never inside the request: a mail server that is down must not fail a
 * sign-up, and the job retries with backoff until it is back.
 */
export function sendMailJob(transport: MailTransport) {
  return defineJob({
    name: 'mail.send',
    schema: mailMessageSchema,
    retry: { retryLimit: 8, retryDelaySeconds: 30, retryBackoff: true },
    handler: async (message) => transport.send(message),
  })
}
export type SendMailJob = ReturnType<typeof sendMailJob>

export interface OutboxMessage extends MailMessage {
  id: string
  createdAt: string
  from: string
  /** Every http(s) link in the text, e.g. verification and reset links. */
  links: string[]
}

/** Messages in the development outbox, newest first. */
export function readOutbox(outboxDir: string): OutboxMessage[] {
  let files: string[]
  try {
    files = readdirSync(outboxDir).filter((name) => name.endsWith('.json'))
  } catch {
    return []
  }
  return files
    .sort()
    .reverse()
    .map((name) => {
      const stored = JSON.parse(readFileSync(path.join(outboxDir, name), 'utf8')) as Omit<OutboxMessage, 'links'>
      const links = [...new Set(stored.text.match(/https?:\/\/[^\s<>"')]+/g) ?? [])]
      return { ...stored, links }
    })
}
