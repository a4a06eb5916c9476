/**
 * Measures commit() throughput of the PostgreSQL store: batches of 500 instances, each with one
 * event batch of 6 events and one job put, in a throwaway schema (dropped at the end).
 * Run: node --import tsx scripts/postgres-commit-bench.ts [batches] [url]
 * (the URL defaults to BATON_TEST_POSTGRES_URL, then postgres://postgres@127.0.0.1:5432/test).
 */
import type { EngineEvent, InstanceState } from '../src/engine/types.ts'
import type { CommitBatch, InstanceRecord, JobRecord } from '../src/store/store.ts'
import { openPostgresPool } from '../src/store/postgres/postgres-pool.ts'
import { openPostgresStore } from '../src/store/postgres/postgres-store.ts'

const batchSize = 500
const batches = Number(process.argv[2] ?? 40)
const url =
  process.argv[3] ??
  process.env['BATON_TEST_POSTGRES_URL'] ??
  'postgres://postgres@127.0.0.1:5432/test'
/** Rows written per instance: the instance, its event batch, its job. */
const rowsPerInstance = 3

function state(key: string, position: number): InstanceState {
  return {
    key,
    processDefinitionKey: '1',
    bpmnProcessId: 'order',
    version: 1,
    status: 'active',
    startedAt: 1000,
    elements: {
      [`${key}01`]: {
        key: `${key}01`,
        elementId: 'charge',
        flowScopeKey: key,
        phase: 'active',
        jobKey: `${key}02`,
      },
    },
    variables: {
      [key]: { orderId: `order-${key}`, amount: 129.5, customer: { id: 7, name: 'Ada' } },
    },
    joins: {},
    jobs: {
      [`${key}02`]: {
        key: `${key}02`,
        elementInstanceKey: `${key}01`,
        elementId: 'Task',
        createdAt: 0,
        type: 'charge',
        retries: 3,
        headers: {},
      },
    },
    userTasks: {},
    incidents: {},
    position,
  }
}

function events(key: string, from: number): EngineEvent[] {
  const base = { at: 1000 }
  return [
    {
      ...base,
      position: from,
      type: 'SequenceFlowTaken',
      flowId: 'f1',
      sourceId: 'start',
      targetId: 'charge',
      flowScopeKey: key,
    },
    {
      ...base,
      position: from + 1,
      type: 'ElementActivating',
      elementInstanceKey: `${key}01`,
      elementId: 'charge',
      elementType: 'serviceTask',
      flowScopeKey: key,
    },
    {
      ...base,
      position: from + 2,
      type: 'VariableSet',
      scopeKey: key,
      name: 'amount',
      value: 129.5,
      created: true,
    },
    {
      ...base,
      position: from + 3,
      type: 'ElementActivated',
      elementInstanceKey: `${key}01`,
      elementId: 'charge',
    },
    {
      ...base,
      position: from + 4,
      type: 'JobCreated',
      jobKey: `${key}02`,
      elementInstanceKey: `${key}01`,
      elementId: 'charge',
      jobType: 'charge',
      retries: 3,
      headers: {},
    },
    {
      ...base,
      position: from + 5,
      type: 'VariableSet',
      scopeKey: key,
      name: 'orderId',
      value: `order-${key}`,
      created: true,
    },
  ]
}

function makeBatch(round: number, firstKey: number, update: boolean): CommitBatch {
  const instances: { record: InstanceRecord; expectedStateVersion: number | null }[] = []
  const eventBatches: CommitBatch['events'][number][] = []
  const jobPuts: JobRecord[] = []
  for (let i = 0; i < batchSize; i++) {
    const key = String(firstKey + i * 10)
    const from = update ? 6 * round : 0
    instances.push({
      record: {
        key,
        processDefinitionKey: '1',
        bpmnProcessId: 'order',
        version: 1,
        status: 'active',
        startedAt: 1000,
        endedAt: null,
        parentKey: null,
        businessKey: null,
        hasIncident: false,
        stateVersion: update ? round + 1 : 1,
        state: state(key, from + 6),
      },
      expectedStateVersion: update ? round : null,
    })
    eventBatches.push({ instanceKey: key, fromPosition: from, events: events(key, from) })
    jobPuts.push({
      key: `${key}2`,
      instanceKey: key,
      elementInstanceKey: `${key}1`,
      elementId: 'charge',
      bpmnProcessId: 'order',
      processDefinitionKey: '1',
      type: 'charge',
      retries: 3,
      headers: {},
      status: 'activatable',
      worker: null,
      deadline: null,
      retryAt: null,
      errorMessage: null,
      createdAt: 1000,
    })
  }
  return {
    instances,
    events: eventBatches,
    jobPuts,
    jobDeletes: [],
    userTaskPuts: [],
    incidentPuts: [],
  }
}

const schema = `baton_bench_${process.pid}`
const admin = openPostgresPool(url, 1)
try {
  const store = await openPostgresStore({ url, schema, poolSize: 2 })
  // Warm-up: connections opened, statements prepared.
  await store.commit(makeBatch(0, 500_000, false))
  // Inserts: every batch creates 500 new instances.
  const inserts = Array.from({ length: batches }, (_, b) =>
    makeBatch(0, 1_000_000 + b * batchSize * 10, false),
  )
  let start = performance.now()
  for (const batch of inserts) await store.commit(batch)
  let ms = performance.now() - start
  report('insert', ms)
  // Updates: the same 500 instances move on, one version per batch (the steady state).
  await store.commit(makeBatch(0, 90_000_000, false))
  const updates = Array.from({ length: batches }, (_, b) => makeBatch(b + 1, 90_000_000, true))
  start = performance.now()
  for (const batch of updates) await store.commit(batch)
  ms = performance.now() - start
  report('update', ms)
  await store.close()
} finally {
  await admin.query({ text: `DROP SCHEMA IF EXISTS "${schema}" CASCADE` })
  await admin.end()
}

function report(what: string, ms: number): void {
  const instances = batches * batchSize
  console.log(
    `${what}: ${batches} commits x ${batchSize} instances in ${ms.toFixed(0)} ms = ` +
      `${Math.round((instances / ms) * 1000)} instances/s, ` +
      `${Math.round(((instances * rowsPerInstance) / ms) * 1000)} rows/s, ` +
      `${Math.round(((instances * 6) / ms) * 1000)} events/s, ${(ms / batches).toFixed(2)} ms/commit`,
  )
}
