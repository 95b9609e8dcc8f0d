import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { readOutbox } from '../../core/mail/mailer.js'

const outboxMessageSchema = z
  .object({
    id: z.string(),
    createdAt: z.iso.datetime(),
    from: z.string(),
    to: z.string(),
    subject: z.string(),
    text: z.string(),
    links: z.array(z.string()).describe('Every link in the message, e.g. verification and password-reset links'),
  })
  .meta({ id: 'OutboxMessage' })

/**
 * Development only: the mail the backend would have sent, newest first. Registered only when mail goes
 * to the local outbox and never in production (the route does not exist there).
 */
export function devOutboxRoutes(outboxDir: string): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/dev/outbox',
      {
        schema: {
          tags: ['development'],
          summary: 'Mail sent in development (newest first)',
          querystring: z.object({ to: z.email().optional().describe('Only messages to this address') }).strict(),
          response: { 200: z.object({ messages: z.array(outboxMessageSchema) }) },
        },
      },
      async (request) => {
        const { to } = request.query
        const messages = readOutbox(outboxDir).filter((message) => !to || message.to.toLowerCase() === to.toLowerCase())
        return { messages: messages.map(({ html: _html, ...message }) => message) }
      },
    )
  }
}
