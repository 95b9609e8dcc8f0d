import { ContentPackError, readContentPack } from '../features/curriculum/content-pack.js'

/** `npm run content:check`: validates the content pack without touching a database. */
try {
  const pack = readContentPack(process.argv[2])
  const lessons = pack.lessons.reduce((sum, file) => sum + file.lessons.length, 0)
  const objectives = pack.objectives.reduce((sum, file) => sum + file.objectives.length, 0)
  console.log(
    `Content pack OK: ${objectives} objectives, ${lessons} lessons, ${pack.exams.length} exam templates, ` +
      `${pack.pictures.length} pictures, ${pack.wordList.length} words.`,
  )
} catch (error) {
  console.error(error instanceof ContentPackError ? error.message : error)
  process.exitCode = 1
}
