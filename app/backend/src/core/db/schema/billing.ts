import { boolean, index, integer, jsonb, pgTable, text, unique, uuid } from 'drizzle-orm/pg-core'

import {
  createdAt,
  paymentEventStatusEnum,
  paymentProviderEnum,
  subscriptionPlanEnum,
  subscriptionStatusEnum,
  timestamps,
  timestamptz,
} from './common.js'
import { programs } from './programs.js'
import { users } from './users.js'

/** Billing state per user. Without a payment provider configured, users get a `provider = 'none'` row (or none at all). */
export const subscriptions = pgTable(
  'subscriptions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    plan: subscriptionPlanEnum('plan').notNull().default('free'),
    status: subscriptionStatusEnum('status').notNull().default('active'),
    provider: paymentProviderEnum('provider').notNull().default('none'),
    providerCustomerId: text('provider_customer_id'),
    providerSubscriptionId: text('provider_subscription_id').unique('subscriptions_provider_subscription_unique'),
    currentPeriodStart: timestamptz('current_period_start'),
    currentPeriodEnd: timestamptz('current_period_end'),
    cancelAtPeriodEnd: boolean('cancel_at_period_end').notNull().default(false),
    canceledAt: timestamptz('canceled_at'),
    /** Institution plans: number of learner seats. */
    seats: integer('seats').notNull().default(1),
    /** Institution plans: the program whose members the seats cover. */
    programId: uuid('program_id').references(() => programs.id, { onDelete: 'set null' }),
    ...timestamps(),
  },
  (t) => [
    index('subscriptions_user_idx').on(t.userId),
    index('subscriptions_provider_customer_idx').on(t.providerCustomerId),
    index('subscriptions_program_idx').on(t.programId),
  ],
)

/**
 * Webhook events as received, unique per (provider, provider_event_id) so redelivered events are
 * processed once. Kept after account deletion with user_id set to null (financial audit trail).
 */
export const paymentEvents = pgTable(
  'payment_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    provider: paymentProviderEnum('provider').notNull(),
    providerEventId: text('provider_event_id').notNull(),
    /** Provider event type, e.g. 'checkout.session.completed'. */
    type: text('type').notNull(),
    userId: text('user_id').references(() => users.id, { onDelete: 'set null' }),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    status: paymentEventStatusEnum('status').notNull().default('received'),
    error: text('error'),
    processedAt: timestamptz('processed_at'),
    createdAt: createdAt(),
  },
  (t) => [
    unique('payment_events_provider_event_unique').on(t.provider, t.providerEventId),
    index('payment_events_user_idx').on(t.userId),
    index('payment_events_status_created_idx').on(t.status, t.createdAt),
  ],
)

export type Subscription = typeof subscriptions.$inferSelect
export type NewSubscription = typeof subscriptions.$inferInsert
export type PaymentEvent = typeof paymentEvents.$inferSelect
export type NewPaymentEvent = typeof paymentEvents.$inferInsert
