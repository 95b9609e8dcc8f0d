'use client'
import { createAuthClient } from 'better-auth/react'

/** better-auth's client for sign-up, sign-in, verification and password reset, on this origin. */
export const authClient = createAuthClient({ basePath: '/api/auth' })
