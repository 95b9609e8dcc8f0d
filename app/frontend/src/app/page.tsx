export default function LandingPage() {
  return (
    <main className="mx-auto max-w-2xl px-4 py-12">
      <h1 className="text-3xl font-semibold">Speak Norwegian with a patient tutor</h1>
      <p className="mt-4 text-lg">Avaaz is a speaking coach for adults learning Norwegian (Bokmål), from A1 to B2, with practice for the oral Norskprøven.</p>
    </main>
  )
}
