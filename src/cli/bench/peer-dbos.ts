/**
 * The `peer-dbos` scenario: DBOS Transact (`@dbos-inc/dbos-sdk`), a durable-workflow library that
 * checkpoints every step in PostgreSQL, running the reference process as a workflow on the same
 * PostgreSQL server as Baton's `postgres-1` scenario, in a fresh schema dropped after.
 *
 * The workflow: step `validate` -> a decision in the workflow code on its result (as the
 * exclusive gateway; deterministic code, not a step) -> steps `charge` and `reserve` in parallel
 * (`Promise.all` of two steps started in a fixed order, which DBOS allows) -> end. Every step
 * completes at once, like Baton's in-process workers. `concurrency` lanes each run a workflow and
 * await its result, until `total` have run, after `warmup` uncounted ones.
 */
import { DBOS } from '@dbos-inc/dbos-sdk'
import { openPostgresPool } from '../../store/postgres/postgres-pool.ts'
import { percentile } from './measure.ts'

export interface DbosFigures {
  readonly peer: string
  readonly workflows: number
  readonly concurrency: number
  readonly seconds: number
  readonly workflowsPerSecond: number
  readonly p50Ms: number
  readonly p99Ms: number
  /**
   * Share of workflows in which `reserve` started before `charge`'s checkpoint was written (and
   * so ran in parallel with it), as observed.
   */
  readonly parallelShare: number
  /** Rows DBOS wrote per workflow (workflow status + step outputs), counted after the run. */
  readonly rowsPerWorkflow: number
}

interface ReferenceResult {
  readonly valid: boolean
  readonly charged?: boolean
  readonly reserved?: boolean
}

const step = <T>(name: string, value: T, started?: () => void): Promise<T> =>
  DBOS.runStep(
    () => {
      started?.()
      return Promise.resolve(value)
    },
    { name },
  )

/** Workflows whose `reserve` step started while `charge` was still being checkpointed. */
let overlapped = 0

async function referenceWorkflow(amount: number): Promise<ReferenceResult> {
  const validated = await step('validate', { valid: amount >= 0 })
  if (!validated.valid) return validated
  let chargeDone = false
  const charge = step('charge', { charged: true }).then((value) => {
    chargeDone = true
    return value
  })
  const reserve = step('reserve', { reserved: true }, () => {
    if (!chargeDone) overlapped++
  })
  const [charged, reserved] = await Promise.all([charge, reserve])
  return { ...validated, ...charged, ...reserved }
}

/** DBOS keeps one registry per process: the workflow is registered once, on first use. */
let registered: ((amount: number) => Promise<ReferenceResult>) | undefined

export async function benchPeerDbos(options: {
  url: string
  total: number
  concurrency: number
  warmup: number
}): Promise<DbosFigures> {
  registered ??= DBOS.registerWorkflow(referenceWorkflow, { name: 'baton-bench-reference' })
  const workflow = registered
  const schema = `baton_bench_dbos_${process.pid}`
  const admin = openPostgresPool(options.url, 1)
  try {
    DBOS.setConfig({
      name: 'baton-bench',
      systemDatabaseUrl: options.url,
      systemDatabaseSchemaName: schema,
      logLevel: 'error',
    })
    await DBOS.launch()
    try {
      const run = async (count: number, latencies: number[] | undefined): Promise<void> => {
        let started = 0
        const lane = async (): Promise<void> => {
          while (started < count) {
            started++
            const t0 = performance.now()
            const result = await workflow(started)
            if (result.charged !== true || result.reserved !== true) {
              throw new Error(`DBOS workflow ${started} ended with ${JSON.stringify(result)}`)
            }
            latencies?.push(performance.now() - t0)
          }
        }
        await Promise.all(Array.from({ length: Math.min(options.concurrency, count) }, lane))
      }
      await run(options.warmup, undefined)
      const latencies: number[] = []
      overlapped = 0
      const t0 = performance.now()
      await run(options.total, latencies)
      const seconds = (performance.now() - t0) / 1000
      latencies.sort((a, b) => a - b)
      const rows = await admin.query({
        text: `SELECT (SELECT count(*) FROM "${schema}".workflow_status)::int AS workflows,
                      (SELECT count(*) FROM "${schema}".operation_outputs)::int AS steps`,
      })
      const counts = rows.rows[0] as { workflows: number; steps: number } | undefined
      const workflows = counts?.workflows ?? 0
      return {
        peer: 'DBOS Transact 5.3.0 (@dbos-inc/dbos-sdk)',
        workflows: options.total,
        concurrency: options.concurrency,
        seconds: Math.round(seconds * 1000) / 1000,
        workflowsPerSecond: Math.round(options.total / seconds),
        p50Ms: Math.round(percentile(latencies, 50) * 100) / 100,
        p99Ms: Math.round(percentile(latencies, 99) * 100) / 100,
        parallelShare: Math.round((overlapped / options.total) * 100) / 100,
        rowsPerWorkflow:
          workflows === 0
            ? 0
            : Math.round(((workflows + (counts?.steps ?? 0)) / workflows) * 10) / 10,
      }
    } finally {
      await DBOS.shutdown()
    }
  } finally {
    await admin.query({ text: `DROP SCHEMA IF EXISTS "${schema}" CASCADE` }).catch(() => {})
    await admin.end()
  }
}
