/**
 * `npm run bench`: named scenarios measured on this machine. Prints a summary table; with
 * `--json` the last line is one JSON object with a key per scenario.
 *
 * reference: start -> service task -> exclusive gateway -> parallel split into two service tasks
 * -> join -> end, in-process workers, on a SQLite file with durable (fsync) commits.
 * decisions: a 50-rule FIRST-hit DMN decision table evaluated over 10,000 input rows.
 * postgres-1, postgres-2 (with `--db postgres://...`): the reference scenario on one and on two
 * engine nodes (processes) sharing one PostgreSQL schema.
 * remote-workers, user-tasks, timers, messages, scale: see bench/workload-scenarios.ts.
 * `--scenario a,b` runs only those.
 * feel, store-limit, peer-bpmn-engine, peer-dbos: see their modules in ./bench/.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir, cpus, loadavg } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { benchDecisionTable } from '../dmn/bench.ts'
import { Engine } from '../runtime/engine.ts'
import { openPostgresPool, type PostgresPool } from '../store/postgres/postgres-pool.ts'
import { openPostgresStore } from '../store/postgres/postgres-store.ts'
import type { NodeFigures } from './bench-node.ts'
import { runWorkloadScenarios, workloadScenarioNames } from './bench/workload-scenarios.ts'
import { benchFeel } from './bench/feel.ts'
import { mainThreadCpuMs, percentile, round } from './bench/measure.ts'
import { benchStoreLimit } from './bench/store-limit.ts'
import { processCpuMs } from './bench/server-cpu.ts'

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
  /**
   * The commits' durations (call to durable) summed, over the wall time: above 1 when several
   * commits are under way at once (the SQLite commit thread takes up to four).
   */
  readonly commitShare: number
  /**
   * CPU time (user + system, every thread of the process) per instance, ms: steadier than
   * instances/s when other programs share the cores.
   */
  readonly cpuMsPerInstance: number
  /**
   * The engine's thread alone (the process's main thread), ms per instance: what bounds
   * instances/s once the other threads have a core of their own. Absent without Linux's /proc.
   */
  readonly engineThreadCpuMsPerInstance?: number
  /** The host's one-minute load average at the end of the run (how shared the cores were). */
  readonly loadAverage: number
  /** Latency at half of the peak rate above (open loop); absent when not asked for. */
  readonly halfLoad?: OpenLoopFigures
}

/** Instances started at a fixed rate, whatever the engine's pace (an open loop). */
export interface OpenLoopFigures {
  readonly instances: number
  /** The rate the instances were started at. */
  readonly offeredPerSecond: number
  /** The rate they completed at (below the offered rate when the engine fell behind). */
  readonly instancesPerSecond: number
  /** Start-to-end, counted from the instant each instance was due to start. */
  readonly p50Ms: number
  readonly p99Ms: number
  readonly cpuMsPerInstance: number
}

/**
 * Runs `total` reference instances keeping `concurrency` in flight; measures start-to-end. With
 * `halfLoad`, then starts that many more at half the rate just measured and reports their latency.
 */
export async function benchReference(options: {
  total: number
  concurrency: number
  warmup: number
  durable: boolean
  halfLoad?: number
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
    const engineThreadBefore = mainThreadCpuMs()
    const t0 = performance.now()
    await run(options.total, latencies)
    const seconds = (performance.now() - t0) / 1000
    const cpu = process.cpuUsage(cpuBefore)
    const engineThreadAfter = mainThreadCpuMs()
    const after = engine.stats()
    const batches = after.batches - before.batches
    latencies.sort((a, b) => a - b)
    const instancesPerSecond = Math.round(options.total / seconds)
    const halfLoad =
      options.halfLoad === undefined
        ? undefined
        : await openLoop(engine, Math.max(1, Math.round(instancesPerSecond / 2)), options.halfLoad)
    return {
      instances: options.total,
      seconds: round(seconds, 3),
      instancesPerSecond,
      p50Ms: round(percentile(latencies, 50), 2),
      p99Ms: round(percentile(latencies, 99), 2),
      concurrency: options.concurrency,
      durable: options.durable,
      commitsPerSecond: Math.round(batches / seconds),
      commandsPerCommit: round((after.commands - before.commands) / Math.max(1, batches), 1),
      commitShare: round((after.commitMs - before.commitMs) / 1000 / seconds, 2),
      cpuMsPerInstance: round((cpu.user + cpu.system) / 1000 / options.total, 3),
      ...(engineThreadBefore === undefined || engineThreadAfter === undefined
        ? {}
        : {
            engineThreadCpuMsPerInstance: round(
              (engineThreadAfter - engineThreadBefore) / options.total,
              3,
            ),
          }),
      loadAverage: round(loadavg()[0] ?? 0, 2),
      ...(halfLoad === undefined ? {} : { halfLoad }),
    }
  } finally {
    await engine.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * Starts `count` reference instances at `rate` per second on a timetable, without waiting for
 * earlier ones (as requests arrive at a server), and measures each from its due instant, so
 * time lost behind a slow engine counts in the latency.
 */
async function openLoop(engine: Engine, rate: number, count: number): Promise<OpenLoopFigures> {
  const latencies: number[] = []
  const running: Promise<void>[] = []
  const cpuBefore = process.cpuUsage()
  const t0 = performance.now()
  let started = 0
  while (started < count) {
    const due = Math.min(count, Math.floor(((performance.now() - t0) / 1000) * rate) + 1)
    for (; started < due; started++) {
      const dueAt = t0 + (started / rate) * 1000
      running.push(
        engine
          .createInstance('reference', { variables: { amount: started }, awaitCompletion: true })
          .then((result) => {
            if (result.status !== 'completed')
              throw new Error(`instance ${result.instanceKey} ${result.status}`)
            latencies.push(performance.now() - dueAt)
          }),
      )
    }
    await sleep(1)
  }
  await Promise.all(running)
  const seconds = (performance.now() - t0) / 1000
  const cpu = process.cpuUsage(cpuBefore)
  latencies.sort((a, b) => a - b)
  return {
    instances: count,
    offeredPerSecond: rate,
    instancesPerSecond: Math.round(count / seconds),
    p50Ms: round(percentile(latencies, 50), 2),
    p99Ms: round(percentile(latencies, 99), 2),
    cpuMsPerInstance: round((cpu.user + cpu.system) / 1000 / count, 3),
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
  /** CPU time of the engine node processes per instance, ms (all nodes together). */
  readonly cpuMsPerInstance: number
  /**
   * CPU time per instance, ms, of the PostgreSQL processes serving the nodes' connections and of
   * the server's WAL writer, checkpointer and background writer, when the server runs on this
   * machine (read from /proc; null otherwise).
   */
  readonly serverCpuMsPerInstance: number | null
  /** The host's one-minute load average at the end of the run (how shared the cores were). */
  readonly loadAverage: number
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
  // The nodes' connections carry this name, so that the server processes serving them are found.
  const application = schema
  const nodeUrl = withApplicationName(options.url, application)
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
          ...(process.env['BATON_BENCH_NODE_ARGS']?.split(' ').filter(Boolean) ?? []),
          script,
          nodeUrl,
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
    const serverBefore = await serverProcessesCpuMs(admin, application)
    const t0 = performance.now()
    for (const child of children) child.stdin?.write('go\n')
    const figures = await Promise.all(outputs)
    const seconds = (performance.now() - t0) / 1000
    const serverAfter = await serverProcessesCpuMs(admin, application)
    for (const child of children) child.stdin?.write('close\n')
    // Each node closes its engine and exits by itself (writing its CPU profile, if asked for one).
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve()
            child.once('exit', () => resolve())
            setTimeout(resolve, 10_000).unref()
          }),
      ),
    )
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
      cpuMsPerInstance: round(figures.reduce((sum, f) => sum + f.cpuMs, 0) / instances, 3),
      serverCpuMsPerInstance:
        serverAfter.size === 0
          ? null
          : round(
              [...serverAfter].reduce(
                (sum, [pid, ms]) => sum + ms - (serverBefore.get(pid) ?? 0),
                0,
              ) / instances,
              3,
            ),
      loadAverage: round(loadavg()[0] ?? 0, 2),
    }
  } finally {
    for (const child of children) child.kill()
    await admin.query({ text: `DROP SCHEMA IF EXISTS "${schema}" CASCADE` }).catch(() => {})
    await admin.end()
  }
}

function withApplicationName(url: string, name: string): string {
  const parsed = new URL(url)
  parsed.searchParams.set('application_name', name)
  return parsed.toString()
}

/**
 * CPU ms so far of each PostgreSQL process serving the connections named `application`, and of
 * the server's WAL writer, checkpointer and background writer (which work for every client, on
 * an otherwise idle server for this bench); empty when the server is not on this machine.
 */
async function serverProcessesCpuMs(
  admin: PostgresPool,
  application: string,
): Promise<Map<number, number>> {
  const { rows } = await admin.query<{ pid: number }>({
    text: `SELECT pid FROM pg_stat_activity WHERE application_name = $1
      OR backend_type IN ('walwriter', 'checkpointer', 'background writer')`,
    values: [application],
  })
  return processCpuMs(rows.map((row) => row.pid))
}

export interface DecisionFigures {
  readonly rows: number
  readonly rules: number
  readonly hitPolicy: 'FIRST'
  readonly seconds: number
  readonly decisionsPerSecond: number
  /**
   * Evaluations per second of this process's CPU time (user + system): steadier than the wall
   * figure on a machine shared with other work.
   */
  readonly decisionsPerCpuSecond: number
  /** Issue 8's target, evaluations per second. */
  readonly target: number
}

/**
 * Evaluates a 50-rule FIRST-hit decision table once per input row, after `warmup` rows (on a
 * table of their own) that are not counted.
 */
export async function benchDecisions(options: {
  rows: number
  warmup?: number
}): Promise<DecisionFigures> {
  if ((options.warmup ?? 0) > 0) await benchDecisionTable(options.warmup)
  const cpu = process.cpuUsage()
  const result = await benchDecisionTable(options.rows)
  const used = process.cpuUsage(cpu)
  return {
    rows: result.rows,
    rules: 50,
    hitPolicy: 'FIRST',
    seconds: round(result.seconds, 3),
    decisionsPerSecond: Math.round(result.perSecond),
    decisionsPerCpuSecond: Math.round(result.rows / ((used.user + used.system) / 1e6)),
    target: 50_000,
  }
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
  // 300 in flight is the reference's knee on this 2-core machine: 1,000 filled the same commits
  // (about 200 commands each) and held three times the instances in the young generation, so each
  // scavenge copied more (GC 0.08 against 0.05 ms of the engine thread per instance, measured):
  // fewer instances/s and four times the latency.
  const concurrency = arg('concurrency', 300)
  const warmup = arg('warmup', Math.min(2000, total))
  const only = textArg('scenario')?.split(',')
  const known = [
    'reference',
    'decisions',
    'postgres',
    'postgres-1',
    'postgres-2',
    ...workloadScenarioNames,
    'feel',
    'store-limit',
    'peer-bpmn-engine',
    'peer-dbos',
  ]
  const unknown = only?.filter((name) => !known.includes(name)) ?? []
  if (unknown.length > 0) {
    throw new Error(`--scenario: no scenario ${unknown.join(', ')}; known: ${known.join(', ')}`)
  }
  const wanted = (name: string): boolean => only === undefined || only.includes(name)
  const cpu = cpus()[0]?.model ?? 'unknown cpu'
  console.log(`machine: ${cpus().length} x ${cpu}, node ${process.version}`)
  const results: Record<string, unknown> = {}
  if (wanted('reference')) {
    console.log(
      `scenario reference: ${total} instances, ${concurrency} in flight, SQLite file, durable=${durable}`,
    )
    const halfLoad = arg('half-load-instances', 10_000)
    const reference = await benchReference({
      total,
      concurrency,
      warmup,
      durable,
      ...(halfLoad > 0 ? { halfLoad } : {}),
    })
    results['reference'] = reference
    console.log('')
    console.log(
      'scenario   instances/s   p50 ms   p99 ms   commits/s   commands/commit   commit time/wall   CPU ms/instance',
    )
    console.log(
      `reference  ${String(reference.instancesPerSecond).padStart(11)}   ${reference.p50Ms.toFixed(1).padStart(6)}   ${reference.p99Ms.toFixed(1).padStart(6)}   ${String(reference.commitsPerSecond).padStart(9)}   ${String(reference.commandsPerCommit).padStart(15)}   ${`${Math.round(reference.commitShare * 100)}%`.padStart(16)}   ${reference.cpuMsPerInstance.toFixed(3).padStart(15)}`,
    )
    const half = reference.halfLoad
    if (half !== undefined) {
      console.log(
        `reference at half load: ${half.instances} instances started at ${half.offeredPerSecond}/s (half of the peak above, open loop), completed at ${half.instancesPerSecond}/s, p50 ${half.p50Ms.toFixed(1)} ms, p99 ${half.p99Ms.toFixed(1)} ms from each one's due instant, ${half.cpuMsPerInstance.toFixed(3)} CPU ms/instance`,
      )
    }
    if (reference.engineThreadCpuMsPerInstance !== undefined) {
      console.log(
        `engine thread: ${reference.engineThreadCpuMsPerInstance.toFixed(3)} CPU ms/instance (the rest of the CPU above ran on other threads: commits, checkpoints, garbage collection)`,
      )
    }
    console.log(
      `load average ${reference.loadAverage} (other programs on the cores make instances/s noisy)`,
    )
  }
  if (wanted('decisions')) {
    const rows = arg('decision-rows', 10_000)
    const decisions = await benchDecisions({ rows, warmup: arg('decision-warmup', 20_000) })
    results['decisions'] = decisions
    console.log(
      `decisions  ${String(decisions.decisionsPerSecond).padStart(11)} decisions/s, ${decisions.decisionsPerCpuSecond} per CPU second (${decisions.rules}-rule ${decisions.hitPolicy} table, ${decisions.rows} rows; target ${decisions.target})`,
    )
  }
  Object.assign(
    results,
    await runWorkloadScenarios({ wanted, arg, durable, log: (line) => console.log(line) }),
  )
  const peers = await benchBatonPeers({
    wanted,
    reference: results['reference'] as ReferenceFigures | undefined,
    durable,
    concurrency,
  })
  Object.assign(results, peers)
  const db = textArg('db')
  const scaled: Record<string, PostgresFigures> = {}
  // `postgres` is both node counts; `postgres-1` or `postgres-2` one of them.
  const nodeCounts = [1, 2].filter((n) => wanted('postgres') || wanted(`postgres-${n}`))
  if (db !== undefined && nodeCounts.length > 0) {
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
      'scenario     instances/s   p50 ms   p99 ms   commits/s   commands/commit   conflicts   CPU ms/instance (nodes + server)',
    )
    for (const nodes of nodeCounts) {
      const figures = await benchPostgres({
        url: db,
        nodes,
        total: pgTotal,
        concurrency: pgConcurrency,
        warmup: Math.min(2000, pgTotal),
      })
      scaled[`postgres-${nodes}`] = figures
      console.log(
        `postgres-${nodes}   ${String(figures.instancesPerSecond).padStart(11)}   ${figures.p50Ms.toFixed(1).padStart(6)}   ${figures.p99Ms.toFixed(1).padStart(6)}   ${String(figures.commitsPerSecond).padStart(9)}   ${String(figures.commandsPerCommit).padStart(15)}   ${String(figures.conflicts).padStart(9)}   ${figures.cpuMsPerInstance.toFixed(3)} + ${figures.serverCpuMsPerInstance?.toFixed(3) ?? '-'}`,
      )
    }
    const one = scaled['postgres-1']?.instancesPerSecond ?? 0
    const two = scaled['postgres-2']?.instancesPerSecond ?? 0
    if (one > 0 && two > 0) console.log(`two nodes / one node: ${(two / one).toFixed(2)}x`)
  }
  const dbos = wanted('peer-dbos')
    ? await benchDbosPeer({
        db,
        postgres1: scaled['postgres-1'],
        concurrency: arg('pg-concurrency', 200),
      })
    : {}
  if (json) console.log(JSON.stringify({ ...results, ...scaled, ...dbos }))
}

/**
 * feel, store-limit and peer-bpmn-engine (those wanted), with their ratios to this run's reference
 * figure when the reference scenario ran (null otherwise).
 */
async function benchBatonPeers(run: {
  wanted: (name: string) => boolean
  reference: ReferenceFigures | undefined
  durable: boolean
  concurrency: number
}): Promise<Record<string, unknown>> {
  const results: Record<string, unknown> = {}
  const reference = run.reference?.instancesPerSecond
  if (run.wanted('feel')) {
    const feel = benchFeel({
      evaluations: arg('feel-evaluations', 2_000_000),
      warmup: 100_000,
    })
    results['feel'] = feel
    console.log(
      `feel       ${String(feel.evaluationsPerSecond).padStart(11)} evaluations/s, ${feel.evaluationsPerCpuSecond} per CPU second, of ${feel.expression} (target ${feel.target})`,
    )
  }
  if (run.wanted('store-limit')) {
    const store = await benchStoreLimit({
      batchSize: arg('store-batch', 1000),
      groupedCommits: arg('store-commits', 40),
      singleCommits: arg('store-single-commits', 500),
      durable: run.durable,
    })
    const storeShare =
      reference === undefined ? null : round(reference / store.referenceInstancesPerSecondBound, 3)
    results['store-limit'] = { ...store, referenceShare: storeShare }
    console.log(
      `store-limit ${String(store.grouped.commandsPerSecond).padStart(10)} commands/s grouped (${store.grouped.rowsPerSecond} rows/s, ${store.grouped.commandsPerCommit} per commit), ${store.single.commitsPerSecond} commits/s single; the store allows ${store.referenceInstancesPerSecondBound} reference instances/s${storeShare === null ? '' : `, reference uses ${Math.round(storeShare * 100)}%`}`,
    )
  }
  if (run.wanted('peer-bpmn-engine')) {
    const peerTotal = arg('peer-instances', 2000)
    // the peers are dev dependencies: loaded only when their scenario runs
    const { benchPeerBpmnEngine } = await import('./bench/peer-bpmn-engine.ts')
    const peer = await benchPeerBpmnEngine({
      total: peerTotal,
      concurrency: arg('peer-concurrency', run.concurrency),
      warmup: Math.min(200, peerTotal),
    })
    const batonOverPeer = {
      reference:
        reference === undefined ? null : round(reference / peer.reference.instancesPerSecond, 2),
      userTasks: round(peer.batonUserTasks.tasksPerSecond / peer.userTasks.tasksPerSecond, 2),
    }
    results['peer-bpmn-engine'] = { ...peer, batonOverPeer }
    console.log(
      `peer-bpmn-engine ${String(peer.reference.instancesPerSecond).padStart(5)} instances/s reference (${peer.reference.cpuMsPerInstance} CPU ms each; Baton ${batonOverPeer.reference ?? '-'}x), ${peer.userTasks.tasksPerSecond} user tasks/s (Baton ${peer.batonUserTasks.tasksPerSecond}/s, ${batonOverPeer.userTasks}x), ${peer.reference.concurrency} in flight`,
    )
  }
  return results
}

/** peer-dbos against this run's postgres-1 figure; skipped, with the reason, without `--db`. */
async function benchDbosPeer(run: {
  db: string | undefined
  postgres1: PostgresFigures | undefined
  concurrency: number
}): Promise<Record<string, unknown>> {
  if (run.db === undefined || run.postgres1 === undefined) {
    const skipped = 'needs PostgreSQL: run with --db postgres://... (compared with postgres-1)'
    console.log(`peer-dbos  skipped: ${skipped}`)
    return { 'peer-dbos': { skipped } }
  }
  const total = arg('pg-instances', 10_000)
  const { benchPeerDbos } = await import('./bench/peer-dbos.ts')
  const dbos = await benchPeerDbos({
    url: run.db,
    total,
    concurrency: run.concurrency,
    warmup: Math.min(1000, total),
  })
  const batonOverPeer = round(run.postgres1.instancesPerSecond / dbos.workflowsPerSecond, 2)
  console.log(
    `peer-dbos  ${String(dbos.workflowsPerSecond).padStart(11)} workflows/s, p50 ${dbos.p50Ms} ms, p99 ${dbos.p99Ms} ms, ${dbos.rowsPerWorkflow} rows/workflow, parallel steps in ${Math.round(dbos.parallelShare * 100)}% (postgres-1 ${batonOverPeer}x)`,
  )
  return { 'peer-dbos': { ...dbos, batonOverPeer } }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main()
}
