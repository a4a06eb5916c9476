import { resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { compileDmn } from './compile.ts'
import { tableDocument } from './dmn-fixture.ts'
import { evaluateDecision } from './evaluate.ts'

/**
 * Evaluations per second of a 50-rule FIRST-hit decision table over 10,000 input rows.
 * Run: `npx tsx src/dmn/bench.ts` (kept in src/dmn; wire it as scripts/dmn-bench.ts if wanted).
 */
export async function benchDecisionTable(
  rows = 10_000,
): Promise<{ rows: number; seconds: number; perSecond: number }> {
  const rules = Array.from({ length: 50 }, (_, i) => [
    `[${i * 10}..${i * 10 + 9}]`,
    `"band ${i}"`,
    `${i}`,
  ])
  const compiled = await compileDmn(
    tableDocument({
      hitPolicy: 'FIRST',
      inputs: ['amount', 'category'],
      outputs: [{ name: 'band' }, { name: 'rank' }],
      rules: rules.map(([range, band, rank]) => [
        range ?? '-',
        `"c${rank ?? 0}", "any"`,
        band ?? '',
        rank ?? '',
      ]),
    }),
  )
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.problems))
  const inputs = Array.from({ length: rows }, (_, i) => ({
    amount: (i * 7919) % 500,
    category: 'any',
  }))
  const start = performance.now()
  let matched = 0
  for (const variables of inputs) {
    const result = evaluateDecision(compiled.compiled, 'd', variables)
    if (result.ok && result.value !== null) matched++
  }
  const seconds = (performance.now() - start) / 1000
  if (matched !== rows) throw new Error(`only ${matched} of ${rows} rows matched a rule`)
  return { rows, seconds, perSecond: rows / seconds }
}

// Only when run itself (src/cli/bench.ts, also named bench, imports this module).
if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const result = await benchDecisionTable()
  console.log(
    `50-rule FIRST table: ${result.rows} evaluations in ${result.seconds.toFixed(2)} s = ${Math.round(result.perSecond)} evaluations/s`,
  )
}
