const PROBE_ORIGIN = 'https://avaaz.invalid'

/**
 * The path to go to after sign-in, if `next` is a path on this origin; otherwise undefined.
 *
 * Only root-relative paths are accepted, and never `//host` or `/\host` (browsers read both as
 * another host), nor anything the URL parser would turn into another origin (tabs and newlines
 * are dropped by the parser, so `/\t/evil.example` becomes `//evil.example`): the value is parsed
 * against a probe origin and must stay on it. An open redirect here would let a phishing mail send
 * learners from a genuine sign-in page to a look-alike site.
 */
export function safeNextPath(next: string | null | undefined): string | undefined {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return undefined
  // eslint-disable-next-line no-control-regex -- rejecting control characters is the point
  if (/[\u0000-\u001f\u007f\\]/.test(next)) return undefined
  let parsed: URL
  try {
    parsed = new URL(next, PROBE_ORIGIN)
  } catch {
    return undefined
  }
  if (parsed.origin !== PROBE_ORIGIN) return undefined
  return `${parsed.pathname}${parsed.search}${parsed.hash}`
}
