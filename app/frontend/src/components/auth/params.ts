/** A page's search parameters as Next.js hands them to a page (a repeated key gives an array). */
export type SearchParams = Record<string, string | string[] | undefined>

/** The first value of a search parameter, or undefined. */
export function firstParam(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}
