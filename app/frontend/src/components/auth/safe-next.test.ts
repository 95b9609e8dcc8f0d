// @vitest-environment node
import { describe, expect, it } from 'vitest'
import { safeNextPath } from './safe-next'

describe('where to go after sign-in', () => {
  it.each([
    ['/home', '/home'],
    ['/lessons?level=a1&topic=food', '/lessons?level=a1&topic=food'],
    ['/sittings/42#summary', '/sittings/42#summary'],
    ['/lessons/../settings', '/settings'],
  ])('keeps the same-origin path %s', (next, expected) => {
    expect(safeNextPath(next)).toBe(expected)
  })

  it.each([
    '//evil.example',
    '//evil.example/home',
    '/\\evil.example',
    '/\t/evil.example',
    '/\n/evil.example',
    'https://evil.example/home',
    'javascript:alert(1)',
    'home',
    '',
    undefined,
    null,
  ])('refuses %j', (next) => {
    expect(safeNextPath(next)).toBeUndefined()
  })
})
