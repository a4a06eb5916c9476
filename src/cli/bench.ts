/**
 * `npm run bench`: named scenarios measured on this machine. Prints a summary table; with
 * `--json` the last line is one JSON object with a key per scenario.
 *
 * reference: start -> service task -> exclusive gateway -> parallel split into two service tasks
 * -> join -> end, in-process workers, on a SQLite file with durable (fsync) commits.
 * decisions: a 50-rule FIRST-hit DMN decision table evaluated over 10,000 input rows.
 * postgres-1, postgres-2 (with `--db postgres://...`): the reference scenario on one and on two
 * engine nodes (processes) sharing one PostgreSQL schema.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir, cpus, loadavg } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { benchDecisionTable } from '../dmn/bench.ts'
import { Engine } from '../runtime/engine.ts'
import { openPostgresPool } from '../store/postgres/postgres-pool.ts'
import { openPostgresStore } from '../store/postgres/postgres-store.ts'
import type { NodeFigures } from './bench-node.ts'

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
  /**
   * CPU time (user + system, every thread of the process) per instance, ms: steadier than
   * instances/s when other programs share the cores.
   */
  readonly cpuMsPerInstance: number
  /** The host's one-minute load average at the end of the run (how shared the cores were). */
  readonly loadAverage: number
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
    const cpuBefore = process.cpuUsage()
    const t0 = performance.now()
    await run(options.total, latencies)
    const seconds = (performance.now() - t0) / 1000
    const cpu = process.cpuUsage(cpuBefore)
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
      cpuMsPerInstance: round((cpu.user + cpu.system) / 1000 / options.total, 3),
      loadAverage: round(loadavg()[0] ?? 0, 2),
    }
  } finally {
    await engine.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

export interface PostgresFigures {
  readonly nodes: number
  readonly instances: number
  readonly seconds: number
  readonly instancesPerSecond: number
  readonly p50Ms: number
  readonly p99Ms: number
  /** In flight per node. */
  readonly concurrency: number
  readonly commitsPerSecond: number
  readonly commandsPerCommit: number
  /** Commits that failed on another node's change and were run again. */
  readonly conflicts: number
  /** Share of each node's wall time spent inside the store's commit (mean over the nodes). */
  readonly commitShare: number
}

/**
 * The reference scenario on `nodes` engine processes sharing a fresh schema of the PostgreSQL
 * database at `url` (dropped after): each node runs `total / nodes` instances with `concurrency`
 * in flight, all starting together; the figure is every instance over the wall time.
 */
export async function benchPostgres(options: {
  url: string
  nodes: number
  total: number
  concurrency: number
  warmup: number
}): Promise<PostgresFigures> {
  const schema = `baton_bench_${process.pid}_${options.nodes}`
  const admin = openPostgresPool(options.url, 1)
  const children: ReturnType<typeof spawn>[] = []
  try {
    const setup = await Engine.open({
      store: await openPostgresStore({ url: options.url, schema }),
    })
    await setup.deploy({
      name: 'reference.bpmn',
      xml: readFileSync(join(examplesDir, 'reference.bpmn'), 'utf8'),
    })
    await setup.close()
    const here = fileURLToPath(import.meta.url)
    const script = join(dirname(here), here.endsWith('.ts') ? 'bench-node.ts' : 'bench-node.js')
    const share = Math.ceil(options.total / options.nodes)
    const warmup = Math.ceil(options.warmup / options.nodes)
    const outputs: Promise<NodeFigures>[] = []
    const ready: Promise<void>[] = []
    for (let i = 0; i < options.nodes; i++) {
      const child = spawn(
        process.execPath,
        [
          ...(script.endsWith('.ts') ? ['--import', 'tsx'] : []),
          script,
          options.url,
          schema,
          String(share),
          String(options.concurrency),
          String(warmup),
        ],
        { stdio: ['pipe', 'pipe', 'inherit'] },
      )
      children.push(child)
      const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })
      let onReady: () => void = () => {}
      ready.push(new Promise<void>((resolve) => (onReady = resolve)))
      outputs.push(
        new Promise<NodeFigures>((resolve, reject) => {
          lines.on('line', (line) => {
            if (line === 'ready') onReady()
            else if (line.startsWith('{')) resolve(JSON.parse(line) as NodeFigures)
          })
          child.once('exit', (code) => reject(new Error(`a bench node exited with code ${code}`)))
        }),
      )
    }
    await Promise.all(ready)
    const t0 = performance.now()
    for (const child of children) child.stdin?.write('go\n')
    const figures = await Promise.all(outputs)
    const seconds = (performance.now() - t0) / 1000
    const latencies = figures.flatMap((f) => f.latencies).sort((a, b) => a - b)
    const batches = figures.reduce((sum, f) => sum + f.batches, 0)
    const commands = figures.reduce((sum, f) => sum + f.commands, 0)
    const instances = share * options.nodes
    return {
      nodes: options.nodes,
      instances,
      seconds: round(seconds, 3),
      instancesPerSecond: Math.round(instances / seconds),
      p50Ms: round(percentile(latencies, 50), 2),
      p99Ms: round(percentile(latencies, 99), 2),
      concurrency: options.concurrency,
      commitsPerSecond: Math.round(batches / seconds),
      commandsPerCommit: round(commands / Math.max(1, batches), 1),
      conflicts: figures.reduce((sum, f) => sum + f.conflicts, 0),
      commitShare: round(
        figures.reduce((sum, f) => sum + f.commitMs / 1000 / f.seconds, 0) / figures.length,
        2,
      ),
    }
  } finally {
    for (const child of children) child.kill()
    await admin.query({ text: `DROP SCHEMA IF EXISTS "${schema}" CASCADE` }).catch(() => {})
    await admin.end()
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

function textArg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : undefined
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
    'scenario   instances/s   p50 ms   p99 ms   commits/s   commands/commit   time in commit   CPU ms/instance',
  )
  console.log(
    `reference  ${String(reference.instancesPerSecond).padStart(11)}   ${reference.p50Ms.toFixed(1).padStart(6)}   ${reference.p99Ms.toFixed(1).padStart(6)}   ${String(reference.commitsPerSecond).padStart(9)}   ${String(reference.commandsPerCommit).padStart(15)}   ${`${Math.round(reference.commitShare * 100)}%`.padStart(14)}   ${reference.cpuMsPerInstance.toFixed(3).padStart(15)}`,
  )
  console.log(
    `load average ${reference.loadAverage} (other programs on the cores make instances/s noisy)`,
  )
  const rows = arg('decision-rows', 10_000)
  const decisions = await benchDecisions({ rows })
  console.log(
    `decisions  ${String(decisions.decisionsPerSecond).padStart(11)} decisions/s (${decisions.rules}-rule ${decisions.hitPolicy} table, ${decisions.rows} rows)`,
  )
  const db = textArg('db')
  const scaled: Record<string, PostgresFigures> = {}
  if (db !== undefined) {
    if (!db.startsWith('postgres://') && !db.startsWith('postgresql://')) {
      throw new Error(`--db takes a postgres:// URL, got ${JSON.stringify(db)}`)
    }
    const pgTotal = arg('pg-instances', 10_000)
    const pgConcurrency = arg('pg-concurrency', 200)
    console.log('')
    console.log(
      `scenario postgres-N: reference, ${pgTotal} instances over N node processes, ${pgConcurrency} in flight per node`,
    )
    console.log(
      'scenario     instances/s   p50 ms   p99 ms   commits/s   commands/commit   conflicts',
    )
    for (const nodes of [1, 2]) {
      const figures = await benchPostgres({
        url: db,
        nodes,
        total: pgTotal,
        concurrency: pgConcurrency,
        warmup: Math.min(2000, pgTotal),
      })
      scaled[`postgres-${nodes}`] = figures
      console.log(
        `postgres-${nodes}   ${String(figures.instancesPerSecond).padStart(11)}   ${figures.p50Ms.toFixed(1).padStart(6)}   ${figures.p99Ms.toFixed(1).padStart(6)}   ${String(figures.commitsPerSecond).padStart(9)}   ${String(figures.commandsPerCommit).padStart(15)}   ${String(figures.conflicts).padStart(9)}`,
      )
    }
    const one = scaled['postgres-1']?.instancesPerSecond ?? 0
    const two = scaled['postgres-2']?.instancesPerSecond ?? 0
    console.log(`two nodes / one node: ${one > 0 ? (two / one).toFixed(2) : '-'}x`)
  }
  if (json) console.log(JSON.stringify({ reference, decisions, ...scaled }))
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main()
}
