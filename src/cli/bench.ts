/**
 * `npm run bench`: named scenarios measured on this machine. Prints a summary table; with
 * `--json` the last line is one JSON object with a key per scenario.
 *
 * reference: start -> service task -> exclusive gateway -> parallel split into two service tasks
 * -> join -> end, in-process workers, on a SQLite file with durable (fsync) commits.
 * decisions: a 50-rule FIRST-hit DMN decision table evaluated over 10,000 input rows.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir, cpus } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { benchDecisionTable } from '../dmn/bench.ts'
import { Engine } from '../runtime/engine.ts'

const examplesDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../examples')

export interface ReferenceFigures {
  readonly instances: number
  readonly seconds: number
  readonly instancesPerSecond: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly concurrency: number
  readonly durable: boolean
  /** Commits (transactions) per second, and commands per commit: what group commit achieved. */
  readonly commitsPerSecond: number
  readonly commandsPerCommit: number
  /** Share of the wall time spent inside the store's commit (SQL + fsync). */
  readonly commitShare: number
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number
}

/** Runs `total` reference instances keeping `concurrency` in flight; measures start-to-end. */
export async function benchReference(options: {
  total: number
  concurrency: number
  warmup: number
  durable: boolean
}): Promise<ReferenceFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-'))
  const engine = await Engine.open({ path: join(dir, 'bench.db'), durable: options.durable })
  try {
    await engine.deploy({
      name: 'reference.bpmn',
      xml: readFileSync(join(examplesDir, 'reference.bpmn'), 'utf8'),
    })
    const maxActive = options.concurrency * 2
    engine.worker('validate', () => ({ valid: true }), { maxActive })
    engine.worker('charge', () => ({ charged: true }), { maxActive })
    engine.worker('reserve', () => ({ reserved: true }), { maxActive })

    const run = async (count: number, latencies: number[] | undefined): Promise<void> => {
      let started = 0
      const lane = async (): Promise<void> => {
        while (started < count) {
          started++
          const t0 = performance.now()
          const result = await engine.createInstance('reference', {
            variables: { amount: started },
            awaitCompletion: true,
          })
          if (result.status !== 'completed')
            throw new Error(`instance ${result.instanceKey} ${result.status}`)
          latencies?.push(performance.now() - t0)
        }
      }
      await Promise.all(Array.from({ length: options.concurrency }, lane))
    }

    await run(options.warmup, undefined)
    const latencies: number[] = []
    const before = engine.stats()
    const t0 = performance.now()
    await run(options.total, latencies)
    const seconds = (performance.now() - t0) / 1000
    const after = engine.stats()
    const batches = after.batches - before.batches
    latencies.sort((a, b) => a - b)
    return {
      instances: options.total,
      seconds: round(seconds, 3),
      instancesPerSecond: Math.round(options.total / seconds),
      p50Ms: round(percentile(latencies, 50), 2),
      p99Ms: round(percentile(latencies, 99), 2),
      concurrency: options.concurrency,
      durable: options.durable,
      commitsPerSecond: Math.round(batches / seconds),
      commandsPerCommit: round((after.commands - before.commands) / Math.max(1, batches), 1),
      commitShare: round((after.commitMs - before.commitMs) / 1000 / seconds, 2),
    }
  } finally {
    await engine.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

export interface DecisionFigures {
  readonly rows: number
  readonly rules: number
  readonly hitPolicy: 'FIRST'
  readonly seconds: number
  readonly decisionsPerSecond: number
}

/** Evaluates a 50-rule FIRST-hit decision table once per input row. */
export async function benchDecisions(options: { rows: number }): Promise<DecisionFigures> {
  const result = await benchDecisionTable(options.rows)
  return {
    rows: result.rows,
    rules: 50,
    hitPolicy: 'FIRST',
    seconds: round(result.seconds, 3),
    decisionsPerSecond: Math.round(result.perSecond),
  }
}

function round(value: number, digits: number): number {
  const f = 10 ** digits
  return Math.round(value * f) / f
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`)
  const value = i >= 0 ? Number(process.argv[i + 1]) : NaN
  return Number.isFinite(value) ? value : fallback
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json')
  const durable = !process.argv.includes('--no-durable')
  const total = arg('instances', 20_000)
  const concurrency = arg('concurrency', 1000)
  const warmup = arg('warmup', Math.min(2000, total))
  const cpu = cpus()[0]?.model ?? 'unknown cpu'
  console.log(`machine: ${cpus().length} x ${cpu}, node ${process.version}`)
  console.log(
    `scenario reference: ${total} instances, ${concurrency} in flight, SQLite file, durable=${durable}`,
  )
  const reference = await benchReference({ total, concurrency, warmup, durable })
  console.log('')
  console.log(
    'scenario   instances/s   p50 ms   p99 ms   commits/s   commands/commit   time in commit',
  )
  console.log(
    `reference  ${String(reference.instancesPerSecond).padStart(11)}   ${reference.p50Ms.toFixed(1).padStart(6)}   ${reference.p99Ms.toFixed(1).padStart(6)}   ${String(reference.commitsPerSecond).padStart(9)}   ${String(reference.commandsPerCommit).padStart(15)}   ${Math.round(reference.commitShare * 100)}%`,
  )
  const rows = arg('decision-rows', 10_000)
  const decisions = await benchDecisions({ rows })
  console.log(
    `decisions  ${String(decisions.decisionsPerSecond).padStart(11)} decisions/s (${decisions.rules}-rule ${decisions.hitPolicy} table, ${decisions.rows} rows)`,
  )
  if (json) console.log(JSON.stringify({ reference, decisions }))
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main()
}
