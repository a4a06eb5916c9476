/**
 * Fills a store's history fast for the `scale` scenario: one reference instance is run to its end
 * by a real engine while its commits are recorded; then copies of that instance (its final
 * instance row, every event batch, its element statistics) are written through the store's own
 * `commit`, with every key the instance was given renumbered into a block reserved from the store,
 * so the rows are exactly those the store writes for a completed instance. What is not copied:
 * the instance's start and end times (all copies carry the template's).
 */
import { Engine } from '../../runtime/engine.ts'
import type { ElementStatisticsDelta } from '../../store/statistics.ts'
import type { CommitBatch, EventBatchRecord, InstanceRecord, Store } from '../../store/store.ts'

/** Where the engine's keys start (see Engine: keys carry their partition in the high bits). */
const PARTITION_BASE = 2 ** 51

interface Template {
  readonly record: InstanceRecord
  readonly events: readonly EventBatchRecord[]
  readonly statistics: readonly ElementStatisticsDelta[]
  /** Keys from the instance's own up to this one were handed out while it ran. */
  readonly firstKey: number
  readonly lastKey: number
}

/** Runs one instance of `bpmnProcessId` (deployed, with its workers registered by `prepare`). */
async function recordTemplate(
  store: Store,
  bpmnProcessId: string,
  prepare: (engine: Engine) => Promise<void>,
): Promise<Template> {
  const commits: CommitBatch[] = []
  const recording = new Proxy(store, {
    get(target, property) {
      if (property === 'commit') {
        return async (batch: CommitBatch) => {
          commits.push(batch)
          await target.commit(batch)
        }
      }
      if (property === 'close') return async () => undefined
      const value: unknown = Reflect.get(target, property, target)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
  const engine = await Engine.open({ store: recording })
  try {
    await prepare(engine)
    const { instanceKey, status } = await engine.createInstance(bpmnProcessId, {
      variables: { amount: 100 },
      awaitCompletion: true,
    })
    if (status !== 'completed') throw new Error(`the template instance ${instanceKey} ${status}`)
    await engine.idle()
    let record: InstanceRecord | undefined
    const events: EventBatchRecord[] = []
    const statistics = new Map<string, ElementStatisticsDelta>()
    let lastKey = Number(instanceKey)
    for (const commit of commits) {
      for (const entry of commit.instances)
        if (entry.record.key === instanceKey) record = entry.record
      for (const batch of commit.events) if (batch.instanceKey === instanceKey) events.push(batch)
      for (const delta of commit.elementStatistics ?? []) {
        statistics.set(delta.elementId, addDeltas(statistics.get(delta.elementId), delta, 1))
      }
      for (const job of commit.jobPuts) lastKey = Math.max(lastKey, Number(job.key))
    }
    for (const batch of events) {
      for (const match of JSON.stringify(batch.events).matchAll(/"(\d{16})"/g)) {
        lastKey = Math.max(lastKey, Number(match[1]))
      }
    }
    if (!record || record.status !== 'completed') throw new Error('the template was not recorded')
    return {
      record,
      events,
      statistics: [...statistics.values()],
      firstKey: Number(instanceKey),
      lastKey,
    }
  } finally {
    await engine.close()
  }
}

function addDeltas(
  sum: ElementStatisticsDelta | undefined,
  delta: ElementStatisticsDelta,
  times: number,
): ElementStatisticsDelta {
  const buckets = new Map<number, number>(sum?.durationBuckets.map(([b, n]) => [b, n]) ?? [])
  for (const [bucket, n] of delta.durationBuckets) {
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + n * times)
  }
  return {
    processDefinitionKey: delta.processDefinitionKey,
    elementId: delta.elementId,
    entered: (sum?.entered ?? 0) + delta.entered * times,
    completed: (sum?.completed ?? 0) + delta.completed * times,
    terminated: (sum?.terminated ?? 0) + delta.terminated * times,
    durationTotalMs: (sum?.durationTotalMs ?? 0) + delta.durationTotalMs * times,
    durationBuckets: [...buckets],
  }
}

/**
 * Writes `count` completed instances of `bpmnProcessId` into `store`, `perCommit` per transaction;
 * calls `progress` after each commit with how many are written.
 */
export async function loadHistory(options: {
  store: Store
  bpmnProcessId: string
  prepare: (engine: Engine) => Promise<void>
  count: number
  perCommit?: number
  progress?: (written: number) => void
}): Promise<{ eventsPerInstance: number; keysPerInstance: number }> {
  const { store, count } = options
  const template = await recordTemplate(store, options.bpmnProcessId, options.prepare)
  const span = template.lastKey - template.firstKey + 1
  const text = JSON.stringify({ record: template.record, events: template.events })
  const perCommit = options.perCommit ?? 2000
  let written = 0
  while (written < count) {
    const n = Math.min(perCommit, count - written)
    const first = PARTITION_BASE + (await store.reserveKeys(n * span))
    const instances: CommitBatch['instances'][number][] = []
    const events: EventBatchRecord[] = []
    for (let i = 0; i < n; i++) {
      const offset = first + i * span - template.firstKey
      const copy = JSON.parse(
        text.replace(/"(\d{16})"/g, (whole, digits: string) => {
          const key = Number(digits)
          return key >= template.firstKey && key <= template.lastKey ? `"${key + offset}"` : whole
        }),
      ) as { record: InstanceRecord; events: EventBatchRecord[] }
      instances.push({ record: copy.record, expectedStateVersion: null })
      events.push(...copy.events)
    }
    await store.commit({
      instances,
      events,
      jobPuts: [],
      jobDeletes: [],
      userTaskPuts: [],
      incidentPuts: [],
      elementStatistics: template.statistics.map((delta) => addDeltas(undefined, delta, n)),
    })
    written += n
    options.progress?.(written)
  }
  const eventsPerInstance = template.events.reduce((sum, b) => sum + b.events.length, 0)
  return { eventsPerInstance, keysPerInstance: span }
}
