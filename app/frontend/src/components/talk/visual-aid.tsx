import { useTranslations } from 'next-intl'
import type { VisualAid } from './talk-state'

const picturesPath = '/api/v1/curriculum/pictures/'

/** Pictures only ever come from our own picture route (the page's CSP allows nothing else). */
export function pictureUrl(slug: string, url?: string): string {
  return url?.startsWith(picturesPath) ? url : `${picturesPath}${encodeURIComponent(slug)}.svg`
}

/** A picture, table or word list the tutor shows beside its words. */
export function VisualAidView({ aid }: { aid: VisualAid }) {
  const t = useTranslations('talk.visual')
  switch (aid.kind) {
    case 'picture':
      return (
        <figure className="max-w-md">
          <img
            src={pictureUrl(aid.slug, aid.url)}
            alt={aid.title}
            width={800}
            height={600}
            loading="lazy"
            className="aspect-[4/3] h-auto w-full rounded-lg border border-slate-200 bg-white dark:border-slate-700"
          />
          <figcaption lang="nb" className="mt-1 text-sm text-slate-600 dark:text-slate-400">
            {aid.title}
          </figcaption>
        </figure>
      )
    case 'table':
      return (
        <div className="max-w-full overflow-x-auto rounded-lg border border-slate-200 dark:border-slate-700" role="region" aria-label={aid.title} tabIndex={0}>
          <table className="w-full border-collapse text-left text-sm">
            <caption className="px-3 py-2 text-left font-medium">{aid.title}</caption>
            <thead className="bg-slate-100 dark:bg-slate-800">
              <tr>
                {aid.columns.map((column, index) => (
                  <th key={index} scope="col" className="px-3 py-2 font-medium">
                    {column}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {aid.rows.map((row, rowIndex) => (
                <tr key={rowIndex} className="border-t border-slate-200 dark:border-slate-700">
                  {row.map((cell, cellIndex) => (
                    <td key={cellIndex} className="px-3 py-2 align-top">
                      {cell}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )
    case 'word_list':
      return (
        <figure className="rounded-lg border border-slate-200 p-3 dark:border-slate-700">
          <figcaption className="font-medium">
            {aid.title} <span className="text-sm font-normal text-slate-600 dark:text-slate-400">· {t('words', { count: aid.items.length })}</span>
          </figcaption>
          <dl className="mt-2 grid grid-cols-1 gap-x-4 gap-y-1 text-sm sm:grid-cols-[auto_1fr]">
            {aid.items.map((item, index) => (
              <div key={index} className="contents">
                <dt lang="nb" className="font-medium">
                  {item.term}
                </dt>
                <dd className="mb-1 text-slate-700 sm:mb-0 dark:text-slate-300">{item.gloss}</dd>
              </div>
            ))}
          </dl>
        </figure>
      )
  }
}
