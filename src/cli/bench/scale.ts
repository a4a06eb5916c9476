/**
 * Scenario `scale`: does the engine slow down or grow with its data? Start latency (each
 * createInstance from the call to its commit, one at a time) on an empty SQLite file, against a
 * file holding `history` completed reference instances and `active` waiting user-task instances
 * (started by the measured engine process itself, so that it holds what a server that started
 * them holds); and that process's resident set size.
 *
 * The history is written by the bulk loader (history-loader.ts: copies of one real completed
 * instance through the store's own commit); nothing is reused between runs: each run builds its
 * file from nothing in a fresh temporary directory.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { openSqliteStore } from '../../store/sqlite/sqlite-store.ts'
import { BenchChild } from './child.ts'
import { loadHistory } from './history-loader.ts'
import { latencyFigures, round } from './measure.ts'
import type { ScaleProcessReady } from './scale-process.ts'

const examplesDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../examples')

export interface ScaleFigures {
  readonly history: number
  readonly active: number
  readonly samples: number
  /** Start latency on an empty file, ms. */
  readonly emptyP50Ms: number
  readonly emptyP99Ms: number
  /** Start latency with the history and the active instances, ms. */
  readonly loadedP50Ms: number
  readonly loadedP99Ms: number
  /** loaded / empty (the target: at most 1.2). */
  readonly p50Ratio: number
  readonly p99Ratio: number
  /**
   * The engine process holding the active instances, idle for a while (3 s) after starting them, MB
   * (target: under 300 at 100,000).
   */
  readonly rssMb: number
  /** The same right after starting them (see ScaleProcessReady.rssAfterBurst), MB. */
  readonly rssAfterBurstMb: number
  readonly heapUsedMb: number
  readonly emptyRssMb: number
  /** Writing the history, s, and the file's size after, MB. */
  readonly historySeconds: number
  readonly fileMb: number
  readonly eventsPerHistoryInstance: number
  /** Starting the active instances (1,000 in flight), s. */
  readonly activeSeconds: number
}

/** An engine process on `path` with `active` instances started, ready for samples. */
async function engineProcess(
  path: string,
  active: number,
  settleMs: number,
): Promise<{ child: BenchChild; ready: ScaleProcessReady }> {
  const child = new BenchChild('scale-process', [path, String(active), String(settleMs)], {
    nodeArgs: ['--expose-gc'],
  })
  try {
    return { child, ready: JSON.parse(await child.next('ready')) as ScaleProcessReady }
  } catch (error) {
    child.kill()
    throw error
  }
}

async function sample(child: BenchChild): Promise<number> {
  child.send('sample')
  return Number(await child.next('sample'))
}

function fileSize(path: string): number {
  let size = 0
  for (const suffix of ['', '-wal']) {
    try {
      size += statSync(`${path}${suffix}`).size
    } catch {
      // no WAL file
    }
  }
  return size
}

export async function benchScale(options: {
  history: number
  active: number
  samples: number
  /** How long each engine holds its instances idle before its memory is read (default 3000). */
  settleMs?: number
  progress?: (line: string) => void
}): Promise<ScaleFigures> {
  const settleMs = options.settleMs ?? 3000
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-scale-'))
  const children: BenchChild[] = []
  try {
    const loadedPath = join(dir, 'loaded.db')
    const h0 = performance.now()
    const store = await openSqliteStore({ path: loadedPath, durable: false })
    let eventsPerHistoryInstance = 0
    try {
      const xml = readFileSync(join(examplesDir, 'reference.bpmn'), 'utf8')
      const loaded = await loadHistory({
        store,
        bpmnProcessId: 'reference',
        prepare: async (engine) => {
          await engine.deploy({ name: 'reference.bpmn', xml })
          engine.worker('validate', () => ({ valid: true }))
          engine.worker('charge', () => ({ charged: true }))
          engine.worker('reserve', () => ({ reserved: true }))
        },
        count: options.history,
        progress: (written) => {
          if (written % 100_000 === 0) options.progress?.(`scale: ${written} history instances`)
        },
      })
      eventsPerHistoryInstance = loaded.eventsPerInstance
    } finally {
      await store.close()
    }
    const historySeconds = (performance.now() - h0) / 1000
    const fileMb = fileSize(loadedPath) / 2 ** 20

    const loadedEngine = await engineProcess(loadedPath, options.active, settleMs)
    children.push(loadedEngine.child)
    const emptyEngine = await engineProcess(join(dir, 'empty.db'), 0, settleMs)
    children.push(emptyEngine.child)
    // Alternate, so that both files see the same machine load (the machine may be shared).
    const emptyLatencies: number[] = []
    const loadedLatencies: number[] = []
    for (let i = 0; i < options.samples; i++) {
      emptyLatencies.push(await sample(emptyEngine.child))
      loadedLatencies.push(await sample(loadedEngine.child))
    }
    const empty = latencyFigures(emptyLatencies)
    const loaded = { ...latencyFigures(loadedLatencies), ...loadedEngine.ready }
    return {
      history: options.history,
      active: options.active,
      samples: options.samples,
      emptyP50Ms: empty.p50Ms,
      emptyP99Ms: empty.p99Ms,
      loadedP50Ms: loaded.p50Ms,
      loadedP99Ms: loaded.p99Ms,
      p50Ratio: round(loaded.p50Ms / Math.max(empty.p50Ms, 0.001), 2),
      p99Ratio: round(loaded.p99Ms / Math.max(empty.p99Ms, 0.001), 2),
      rssMb: Math.round(loaded.rss / 2 ** 20),
      rssAfterBurstMb: Math.round(loaded.rssAfterBurst / 2 ** 20),
      heapUsedMb: Math.round(loaded.heapUsed / 2 ** 20),
      emptyRssMb: Math.round(emptyEngine.ready.rss / 2 ** 20),
      historySeconds: round(historySeconds, 1),
      fileMb: Math.round(fileMb),
      eventsPerHistoryInstance,
      activeSeconds: loaded.activeSeconds,
    }
  } finally {
    await Promise.all(children.map((child) => child.end()))
    rmSync(dir, { recursive: true, force: true })
  }
}
