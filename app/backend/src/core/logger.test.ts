import { describe, expect, it } from 'vitest'
import { redactUrl } from './logger.js'

describe('redactUrl', () => {
  it.each([
    ['/api/v1/lessons?level=A1', '/api/v1/lessons?level=A1'],
    ['/api/auth/verify-email?token=abc.def&callbackURL=%2F', '/api/auth/verify-email?token=%5Bredacted%5D&callbackURL=%2F'],
    ['/api/auth/reset-password/Zk3q9TOKEN?callbackURL=%2Freset', '/api/auth/reset-password/[redacted]?callbackURL=%2Freset'],
    ['/api/auth/reset-password/Zk3q9TOKEN', '/api/auth/reset-password/[redacted]'],
    ['/x?code=1&Signature=2&keep=3', '/x?code=%5Bredacted%5D&Signature=%5Bredacted%5D&keep=3'],
  ])('%s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected)
  })
})
