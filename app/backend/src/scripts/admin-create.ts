import { createInterface } from 'node:readline/promises'
import { eq } from 'drizzle-orm'
import pino from 'pino'
import { z } from 'zod'
import { createAuth } from '../core/auth/auth.js'
import { passwordProblem } from '../core/auth/password-policy.js'
import { ConfigError, loadConfig } from '../core/config.js'
import { openDatabase } from '../core/db/client.js'
import { applyMigrations } from '../core/db/migrate.js'
import { users } from '../core/db/schema/index.js'

/**
 * `npm run admin:create -- someone@example.org` makes that account an admin. An existing account is
 * promoted; otherwise one is created (verified, since the operator vouches for the address) with a
 * password read from stdin or typed at the prompt — never from the command line, where it would land
 * in shell history.
 */
async function readPassword(): Promise<string> {
  const readline = createInterface({ input: process.stdin, output: process.stderr, terminal: process.stdin.isTTY })
  try {
    return (await readline.question(process.stdin.isTTY ? 'Password for the new admin: ' : '')).trim()
  } finally {
    readline.close()
  }
}

async function main(): Promise<void> {
  const email = z.email().safeParse(process.argv[2]?.trim().toLowerCase())
  if (!email.success) {
    console.error('Usage: npm run admin:create -- <email>')
    process.exitCode = 2
    return
  }
  const config = loadConfig()
  const database = await openDatabase(config.database)
  try {
    await applyMigrations(database)
    const [existing] = await database.db.select().from(users).where(eq(users.email, email.data)).limit(1)
    if (existing) {
      await database.db.update(users).set({ role: 'admin', banned: false, banReason: null }).where(eq(users.id, existing.id))
      console.log(`${email.data} is now an admin.`)
      return
    }
    const password = await readPassword()
    const problem = passwordProblem(password)
    if (problem) {
      console.error(problem)
      process.exitCode = 1
      return
    }
    const auth = createAuth({ config, db: database.db, log: pino({ level: 'warn' }), sendMail: async () => {} })
    const created = await auth.api.signUpEmail({ body: { email: email.data, password, name: email.data.split('@')[0]! } })
    await database.db.update(users).set({ role: 'admin', emailVerified: true }).where(eq(users.id, created.user.id))
    console.log(`Created the admin account ${email.data}. Sign in at ${config.publicUrl}.`)
  } finally {
    await database.close()
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : `Could not create the admin: ${(error as Error).message}`)
  process.exitCode = 1
})
