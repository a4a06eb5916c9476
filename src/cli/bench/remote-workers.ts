/**
 * Scenario `remote-workers`: the reference process on a real Baton server (`baton start` on a
 * durable SQLite file, in a process of its own) on loopback, its three job types worked by remote
 * workers of `baton/client` (job activation long polling, one HTTP request per completion), and
 * instances started over the REST API with `awaitCompletion` (start-to-end latency as a client
 * sees it).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createClient } from '../../client/client.ts'
import type { ClientJobWorker } from '../../client/worker.ts'
import { BenchChild } from './child.ts'
import { cpuMs, inFlight, latencyFigures, round } from './measure.ts'

const examplesDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../examples')

export interface RemoteWorkerFigures {
  readonly instances: number
  readonly seconds: number
  readonly instancesPerSecond: number
  /** POST /v2/process-instances with awaitCompletion until its answer, ms. */
  readonly p50Ms: number
  readonly p99Ms: number
  /** Instances in flight (each one awaited over HTTP). */
  readonly concurrency: number
  /** Most jobs each worker (one per job type) holds at once. */
  readonly maxJobsActive: number
  /** HTTP requests per instance: the start, and per job its activation share and completion. */
  readonly requestsPerInstance: number
  /** CPU time per instance of the server process, and of the process of the clients and workers, ms. */
  readonly serverCpuMsPerInstance: number
  readonly clientCpuMsPerInstance: number
  /** The server process's resident set size at the end, MB. */
  readonly serverRssMb: number
}

export async function benchRemoteWorkers(options: {
  total: number
  concurrency: number
  warmup: number
  maxJobsActive?: number
}): Promise<RemoteWorkerFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-remote-'))
  const server = new BenchChild('server-process', [join(dir, 'bench.db'), dir])
  const workers: ClientJobWorker[] = []
  try {
    const baseUrl = await server.next('listening')
    let requests = 0
    const counted: typeof fetch = (input, init) => {
      requests++
      return fetch(input, init)
    }
    const client = createClient({ baseUrl, fetch: counted })
    await client.deploy([
      {
        name: 'reference.bpmn',
        content: readFileSync(join(examplesDir, 'reference.bpmn'), 'utf8'),
      },
    ])
    const maxJobsActive = options.maxJobsActive ?? options.concurrency
    const onError = (error: unknown): void => {
      failure ??= error
    }
    let failure: unknown
    const workerOptions = { maxJobsActive, pollIntervalMs: 0, requestTimeoutMs: 10_000, onError }
    workers.push(client.worker('validate', () => ({ valid: true }), workerOptions))
    workers.push(client.worker('charge', () => ({ charged: true }), workerOptions))
    workers.push(client.worker('reserve', () => ({ reserved: true }), workerOptions))

    const run = async (count: number, latencies: number[] | undefined): Promise<void> => {
      await inFlight(count, options.concurrency, async (i) => {
        const t0 = performance.now()
        const result = await client.createProcessInstance({
          processDefinitionId: 'reference',
          variables: { amount: i },
          awaitCompletion: true,
        })
        if (result.state !== 'COMPLETED') {
          throw new Error(`remote-workers: instance ${result.processInstanceKey} ${result.state}`)
        }
        latencies?.push(performance.now() - t0)
      })
    }
    await run(options.warmup, undefined)
    const latencies: number[] = []
    const before = requests
    server.send('cpu')
    const serverCpu0 = Number(await server.next('cpu'))
    const cpu0 = cpuMs()
    const t0 = performance.now()
    await run(options.total, latencies)
    const seconds = (performance.now() - t0) / 1000
    const clientCpu = cpuMs() - cpu0
    server.send('cpu')
    const serverCpu = Number(await server.next('cpu')) - serverCpu0
    const sent = requests - before
    if (failure !== undefined) {
      throw new Error(
        `remote-workers: a worker failed: ${failure instanceof Error ? failure.message : JSON.stringify(failure)}`,
        { cause: failure },
      )
    }
    await Promise.all(workers.splice(0).map((w) => w.close()))
    const rss = server.next('rss')
    await server.end()
    return {
      instances: options.total,
      seconds: round(seconds, 3),
      instancesPerSecond: Math.round(options.total / seconds),
      ...latencyFigures(latencies),
      concurrency: options.concurrency,
      maxJobsActive,
      requestsPerInstance: round(sent / options.total, 2),
      serverCpuMsPerInstance: round(serverCpu / options.total, 3),
      clientCpuMsPerInstance: round(clientCpu / options.total, 3),
      serverRssMb: Math.round(Number(await rss) / 2 ** 20),
    }
  } finally {
    await Promise.all(workers.map((w) => w.close()))
    server.kill()
    rmSync(dir, { recursive: true, force: true })
  }
}
