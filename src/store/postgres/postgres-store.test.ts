import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { completedElements } from '../../../test/support/engine-harness.ts'
import { skipUnlessRequired } from '../../../test/support/skip-unless-required.ts'
import type { EngineEvent } from '../../engine/types.ts'
import { Engine } from '../../runtime/engine.ts'
import { ConcurrencyConflictError, type CommitBatch, type JobRecord, type Store } from '../store.ts'
import type { InstanceRecord } from '../store.ts'
import { describeStoreContract } from '../store-contract.ts'
import { activateAmongLeasedJobs, contractJob } from '../contract-fixtures.ts'
import { describeSubscriptionStoreContract } from '../subscription-store-contract.ts'
import { openPostgresPool, type PostgresPool } from './postgres-pool.ts'
import { migrations } from './postgres-schema.ts'
import { openPostgresStore, statements, type PostgresStore } from './postgres-store.ts'
import { postgresUnreachable, testPostgresUrl } from '../../../test/support/postgres.ts'

const url = testPostgresUrl

const why = await postgresUnreachable(url)

if (why !== undefined) {
  describe('store/postgres', () => {
    it('runs the store contract and the PostgreSQL tests', (t) => skipUnlessRequired(t, why))
  })
} else {
  const admin: PostgresPool = openPostgresPool(url, 2)
  const schemas: string[] = []
  after(async () => {
    for (const schema of schemas) await admin.query({ text: `DROP SCHEMA "${schema}" CASCADE` })
    await admin.end()
  })

  /** A schema name no other test (or concurrent test run) uses; dropped after the file. */
  function freshSchema(): string {
    const schema = `baton_test_${process.pid}_${schemas.length + 1}`
    schemas.push(schema)
    return schema
  }

  const schemaOf = new WeakMap<Store, string>()
  async function openFresh(): Promise<PostgresStore> {
    const schema = freshSchema()
    const store = await openPostgresStore({ url, schema, poolSize: 4 })
    schemaOf.set(store, schema)
    return store
  }

  describeStoreContract('postgres', openFresh, {
    reopen: async (closed) => {
      const schema = schemaOf.get(closed)
      assert.ok(schema !== undefined)
      return openPostgresStore({ url, schema })
    },
  })

  describeSubscriptionStoreContract('postgres', openFresh)

  const empty: CommitBatch = {
    instances: [],
    events: [],
    jobPuts: [],
    jobDeletes: [],
    userTaskPuts: [],
    incidentPuts: [],
  }

  const paymentWithTimeout = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="Definitions_payment" targetNamespace="https://baton.dev/test">
  <bpmn:message id="Msg_paid" name="paid">
    <bpmn:extensionElements><zeebe:subscription correlationKey="=orderId" /></bpmn:extensionElements>
  </bpmn:message>
  <bpmn:process id="payment" isExecutable="true">
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="WaitPaid" />
    <bpmn:receiveTask id="WaitPaid" messageRef="Msg_paid" />
    <bpmn:sequenceFlow id="f2" sourceRef="WaitPaid" targetRef="Paid" />
    <bpmn:endEvent id="Paid" />
    <bpmn:boundaryEvent id="Timeout" attachedToRef="WaitPaid">
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="Timeout" targetRef="Expired" />
    <bpmn:endEvent id="Expired" />
  </bpmn:process>
</bpmn:definitions>`

  const job = (key: string): JobRecord => contractJob(key)

  function instance(key: string, stateVersion: number): InstanceRecord {
    return {
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
      stateVersion,
      state: {
        key,
        processDefinitionKey: '1',
        bpmnProcessId: 'order',
        version: 1,
        status: 'active',
        startedAt: 1000,
        elements: {},
        variables: {},
        joins: {},
        jobs: {},
        userTasks: {},
        incidents: {},
        position: stateVersion,
      },
    }
  }

  /** A node of EXPLAIN (ANALYZE, FORMAT JSON): the fields rowsRead looks at. */
  interface PlanNode {
    readonly 'Node Type': string
    readonly 'Relation Name'?: string
    readonly 'Actual Rows': number
    readonly 'Actual Loops': number
    readonly 'Rows Removed by Filter'?: number
    readonly 'Rows Removed by Index Recheck'?: number
    readonly Plans?: readonly PlanNode[]
  }

  /** Rows the scans of `table` read in a plan: those they returned and those they filtered out. */
  function rowsRead(node: PlanNode, table: string): number {
    const own =
      node['Relation Name'] === table && node['Node Type'].endsWith('Scan')
        ? node['Actual Rows'] * node['Actual Loops'] +
          (node['Rows Removed by Filter'] ?? 0) +
          (node['Rows Removed by Index Recheck'] ?? 0)
        : 0
    return (node.Plans ?? []).reduce((sum, child) => sum + rowsRead(child, table), own)
  }

  /** Two stores on one schema: two engine nodes, each with its own pool. */
  async function twoNodes(): Promise<[PostgresStore, PostgresStore]> {
    const schema = freshSchema()
    const a = await openPostgresStore({ url, schema, poolSize: 4 })
    const b = await openPostgresStore({ url, schema, poolSize: 4 })
    return [a, b]
  }

  describe('store/postgres', () => {
    it('never leases one job to two nodes activating at the same time', async () => {
      const [a, b] = await twoNodes()
      try {
        const keys = Array.from({ length: 200 }, (_, i) => String(i + 1))
        await a.commit({ ...empty, jobPuts: keys.map(job) })
        const request = { types: ['charge'], timeoutMs: 60_000, now: 5000, max: 10 }
        const calls = Array.from({ length: 20 }, (_, i) => {
          const [node, worker] = i % 2 === 0 ? [a, `a${i}`] : [b, `b${i}`]
          return node.activateJobs({ ...request, worker })
        })
        const activated = (await Promise.all(calls)).flat()
        assert.equal(activated.length, 200)
        assert.equal(new Set(activated.map((record) => record.key)).size, 200)
        for (const record of activated) {
          assert.equal((await b.getJob(record.key))?.worker, record.worker)
        }
        assert.deepEqual(await a.activateJobs({ ...request, worker: 'late' }), [])
      } finally {
        await a.close()
        await b.close()
      }
    })

    it('finds a due job through jobs_due, never visiting the jobs leased to workers', async () => {
      const store = await openFresh()
      const schema = schemaOf.get(store)
      assert.ok(schema !== undefined)
      try {
        assert.deepEqual(await activateAmongLeasedJobs(store, 5000), ['5001'])
      } finally {
        await store.close()
      }
      // The work, counted in the plan run for real: the rows each scan of jobs read, whether
      // returned or filtered out. One due job: read in the range, then updated through the key.
      // With and without statistics, and in the generic plan a prepared statement settles on.
      const client = await admin.connect()
      try {
        const text = statements(`"${schema}"`).activateJobs
        await client.query({ text: `PREPARE activate_jobs_plan AS ${text}` })
        for (const analyzed of [false, true]) {
          if (analyzed) await client.query({ text: `ANALYZE "${schema}".jobs` })
          for (const mode of ['force_custom_plan', 'force_generic_plan']) {
            await client.query({ text: 'BEGIN' })
            try {
              await client.query({ text: `SET LOCAL plan_cache_mode = ${mode}` })
              const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>({
                text:
                  'EXPLAIN (ANALYZE, FORMAT JSON) ' +
                  "EXECUTE activate_jobs_plan ('{charge}', 3000, 10, 'w2', 4000)",
              })
              const plan = rows[0]?.['QUERY PLAN'][0].Plan
              assert.ok(plan !== undefined)
              assert.equal(
                rowsRead(plan, 'jobs'),
                2,
                `rows of jobs read (${mode}${analyzed ? ', analyzed' : ''}):\n` +
                  JSON.stringify(plan, null, 1),
              )
            } finally {
              await client.query({ text: 'ROLLBACK' })
            }
          }
        }
        await client.query({ text: 'DEALLOCATE activate_jobs_plan' })
      } finally {
        client.release()
      }
    })

    it('lets exactly one of two nodes update an instance from the same version', async () => {
      const [a, b] = await twoNodes()
      try {
        for (let round = 0; round < 10; round++) {
          const key = String(1000 + round)
          await a.commit({
            ...empty,
            instances: [{ record: instance(key, 1), expectedStateVersion: null }],
          })
          const update = (node: Store, jobKey: string) =>
            node.commit({
              ...empty,
              instances: [{ record: instance(key, 2), expectedStateVersion: 1 }],
              events: [{ instanceKey: key, fromPosition: 0, events: [] }],
              jobPuts: [{ ...job(jobKey), instanceKey: key }],
            })
          const results = await Promise.allSettled([update(a, `${key}1`), update(b, `${key}2`)])
          const won = results.filter((result) => result.status === 'fulfilled')
          const lost = results.flatMap((result) => (result.status === 'rejected' ? [result] : []))
          assert.equal(won.length, 1, `round ${round}: one commit wins`)
          assert.equal(lost.length, 1, `round ${round}: one commit loses`)
          const error: unknown = lost[0]?.reason
          assert.ok(error instanceof ConcurrencyConflictError, String(error))
          assert.equal(error.instanceKey, key)
          assert.equal((await a.loadInstance(key))?.stateVersion, 2)
          const jobs = [await a.getJob(`${key}1`), await a.getJob(`${key}2`)]
          assert.equal(
            jobs.filter((stored) => stored !== undefined).length,
            1,
            'only the winner wrote',
          )
        }
      } finally {
        await a.close()
        await b.close()
      }
    })

    it('refuses a commit built on a version another node moved on as a conflict, writing none of it', async () => {
      const [a, b] = await twoNodes()
      try {
        const key = '2000'
        await a.commit({
          ...empty,
          instances: [{ record: instance(key, 1), expectedStateVersion: null }],
        })
        const event = { type: 'VariableSet', position: 1 } as unknown as EngineEvent
        // Both nodes loaded version 1 and append their events at the same position.
        const update = (jobKey: string): CommitBatch => ({
          ...empty,
          instances: [{ record: instance(key, 2), expectedStateVersion: 1 }],
          events: [{ instanceKey: key, fromPosition: 1, events: [event] }],
          jobPuts: [{ ...job(jobKey), instanceKey: key }],
          jobDeletes: ['1'],
        })
        await a.commit({ ...empty, jobPuts: [job('1')] })
        await a.commit(update('2001'))
        const error = await b.commit(update('2002')).then(
          () => undefined,
          (reason: unknown) => reason,
        )
        assert.ok(error instanceof ConcurrencyConflictError, String(error))
        assert.equal(error.instanceKey, key)
        assert.equal(await b.getJob('2002'), undefined, 'the loser wrote no job')
        assert.equal((await b.readEvents(key)).length, 1, 'and no event')
      } finally {
        await a.close()
        await b.close()
      }
    })

    it('lets one of two nodes record an active message start for the same process and key', async () => {
      const [a, b] = await twoNodes()
      try {
        for (let round = 0; round < 10; round++) {
          const correlationKey = `o-${round}`
          const start = (node: Store, instanceKey: string) =>
            node.commit({
              ...empty,
              instances: [{ record: instance(instanceKey, 0), expectedStateVersion: null }],
              messageStartPuts: [{ bpmnProcessId: 'order', correlationKey, instanceKey }],
            })
          const keys = [`${round + 1}01`, `${round + 1}02`]
          const results = await Promise.allSettled([start(a, keys[0]!), start(b, keys[1]!)])
          const lost = results.flatMap((result) => (result.status === 'rejected' ? [result] : []))
          assert.equal(lost.length, 1, `round ${round}: one commit loses`)
          assert.ok(lost[0]?.reason instanceof ConcurrencyConflictError, String(lost[0]?.reason))
          const holder = await a.activeMessageStart('order', correlationKey)
          assert.ok(holder !== undefined && keys.includes(holder))
          const loser = keys.find((key) => key !== holder) ?? ''
          assert.equal(await b.loadInstance(loser), undefined, 'the loser wrote nothing')
        }
      } finally {
        await a.close()
        await b.close()
      }
    })

    it('fails a commit whose message start guard another node invalidated', async () => {
      const [a, b] = await twoNodes()
      try {
        const held = { bpmnProcessId: 'order', correlationKey: 'o-1', instanceKey: '100' }
        const message = {
          key: '7',
          name: 'order-placed',
          correlationKey: 'o-1',
          messageId: null,
          variables: {},
          publishedAt: 1000,
          expiresAt: 9000,
        }
        const active = { kind: 'active', bpmnProcessId: 'order', correlationKey: 'o-1' } as const
        const ended = {
          kind: 'ended',
          bpmnProcessId: 'order',
          correlationKey: 'o-1',
          names: ['order-placed', 'order-changed'],
          now: 2000,
        } as const
        // Buffering because an instance holds the key: fine while it does, refused once it ended
        await a.commit({ ...empty, messageStartPuts: [held] })
        await b.commit({ ...empty, messagePuts: [message], messageStartGuards: [active] })
        await a.commit({ ...empty, messageStartDeletes: [held] })
        await assert.rejects(
          b.commit({
            ...empty,
            messagePuts: [{ ...message, key: '8' }],
            messageStartGuards: [active],
          }),
          ConcurrencyConflictError,
        )
        assert.deepEqual(
          (await a.bufferedMessages('order-placed', 'o-1', 2000)).map((m) => m.key),
          ['7'],
        )
        // Ending the holder: fine when every live message was seen, refused when one was not
        const end = (seen: string[]) =>
          a.commit({
            ...empty,
            messageStartDeletes: [held],
            messageStartGuards: [{ ...ended, seen }],
          })
        await end(['7'])
        await assert.rejects(end([]), ConcurrencyConflictError)
        await b.commit({ ...empty, messagePuts: [{ ...message, key: '9', expiresAt: 1500 }] })
        await end(['7'])
      } finally {
        await a.close()
        await b.close()
      }
    })

    it('does not deadlock two commits updating the same instances in opposite orders', async () => {
      const [a, b] = await twoNodes()
      try {
        const keys = Array.from({ length: 50 }, (_, i) => String(i + 1))
        await a.commit({
          ...empty,
          instances: keys.map((key) => ({ record: instance(key, 1), expectedStateVersion: null })),
        })
        const updates = keys.map((key) => ({ record: instance(key, 2), expectedStateVersion: 1 }))
        const results = await Promise.allSettled([
          a.commit({ ...empty, instances: updates }),
          b.commit({ ...empty, instances: [...updates].reverse() }),
        ])
        const reasons = results.flatMap((result) =>
          result.status === 'rejected' ? [result.reason] : [],
        )
        assert.equal(reasons.length, 1)
        assert.ok(reasons[0] instanceof ConcurrencyConflictError, String(reasons[0]))
      } finally {
        await a.close()
        await b.close()
      }
    })

    it('migrates once when three nodes open a new schema at the same time', async () => {
      const schema = freshSchema()
      const stores = await Promise.all(
        [1, 2, 3].map(() => openPostgresStore({ url, schema, poolSize: 2 })),
      )
      try {
        const { rows } = await admin.query<{ version: number }>({
          text: `SELECT version FROM "${schema}".schema_migrations ORDER BY version`,
        })
        assert.deepEqual(
          rows.map((row) => row.version),
          migrations.map((_, index) => index + 1),
        )
        const firsts = await Promise.all(stores.map((store) => store.reserveKeys(10)))
        assert.deepEqual(
          [...firsts].sort((x, y) => x - y),
          [1, 11, 21],
        )
      } finally {
        await Promise.all(stores.map((store) => store.close()))
      }
    })

    it('refuses a schema whose version is newer than this Baton knows', async () => {
      const store = await openFresh()
      const schema = schemaOf.get(store)
      await store.close()
      await admin.query({ text: `INSERT INTO "${schema}".schema_migrations (version) VALUES (99)` })
      await assert.rejects(
        openPostgresStore({ url, schema: schema ?? '' }),
        /schema version 99, newer than this Baton supports/,
      )
    })

    it('runs a process with a timer boundary event and a message catch end to end', async () => {
      const schema = freshSchema()
      let t = Date.UTC(2030, 0, 1, 9, 0, 0)
      const engine = await Engine.open({
        store: await openPostgresStore({ url, schema, poolSize: 4 }),
        clock: { now: () => t },
      })
      const count = async (table: string): Promise<number> => {
        const { rows } = await admin.query<{ count: string }>({
          text: `SELECT count(*) AS count FROM "${schema}".${table}`,
        })
        return Number(rows[0]?.count)
      }
      try {
        await engine.deploy({ name: 'payment.bpmn', xml: paymentWithTimeout })

        // Given a message published before its instance exists, kept for an hour
        const early = await engine.publishMessage({
          name: 'paid',
          correlationKey: 'C-3',
          timeToLiveMs: 3_600_000,
          messageId: 'pay-c',
        })
        assert.deepEqual([early.correlatedInstances, early.buffered], [0, true])
        assert.equal(await count('buffered_messages'), 1)

        // When three instances start, the third finds its message waiting
        const a = await engine.createInstance('payment', { variables: { orderId: 'A-1' } })
        const b = await engine.createInstance('payment', { variables: { orderId: 'B-2' } })
        const c = await engine.createInstance('payment', { variables: { orderId: 'C-3' } })
        assert.equal((await engine.getInstance(c.instanceKey))?.status, 'completed')
        assert.equal(await count('buffered_messages'), 0, 'the buffered message was consumed')
        assert.equal(await count('subscriptions'), 4, 'a message and a timer for A and B each')

        // Then A is paid, and B times out an hour later
        const paidA = await engine.publishMessage({
          name: 'paid',
          correlationKey: 'A-1',
          variables: { amount: 42 },
        })
        assert.equal(paidA.correlatedInstances, 1)
        t += 30 * 60_000
        assert.equal(await engine.fireDueTimers(), 0, 'nothing is due after 30 minutes')
        t += 31 * 60_000
        // The engine's own scheduler may fire it first: the notification of the commit that made
        // the timer can arrive after the clock moved (seen under load). Either way it fires once.
        const firedHere = await engine.fireDueTimers()
        assert.ok(firedHere <= 1, `fired ${firedHere}`)
        for (let i = 0; i < 200; i++) {
          if ((await engine.getInstance(b.instanceKey))?.status === 'completed') break
          await new Promise((resolve) => setTimeout(resolve, 25))
        }

        const a1 = await engine.getInstance(a.instanceKey)
        assert.equal(a1?.status, 'completed')
        assert.equal(a1?.state.variables[a.instanceKey]?.['amount'], 42)
        assert.ok(completedElements(await engine.history(a.instanceKey)).includes('Paid'))
        assert.equal((await engine.getInstance(b.instanceKey))?.status, 'completed')
        const bDone = completedElements(await engine.history(b.instanceKey))
        assert.ok(bDone.includes('Expired') && !bDone.includes('Paid'), bDone.join(', '))
        assert.equal(await count('subscriptions'), 0)
        assert.equal(await count('buffered_messages'), 0)
        assert.equal(await engine.fireDueTimers(), 0)
      } finally {
        await engine.close()
      }
    })

    it('adds the subscription tables to a schema written by the first schema version', async () => {
      // Given a schema as the first version left it (later migrations not applied)
      const schema = freshSchema()
      const [first] = migrations
      assert.ok(first !== undefined)
      await admin.query({
        text:
          `CREATE SCHEMA "${schema}"; ` +
          `CREATE TABLE "${schema}".schema_migrations (version INTEGER PRIMARY KEY, ` +
          'applied_at TIMESTAMPTZ NOT NULL DEFAULT now()); ' +
          `${first(`"${schema}"`)}; ` +
          `INSERT INTO "${schema}".schema_migrations (version) VALUES (1)`,
      })
      const activationIndexes = async (): Promise<number> => {
        const { rows } = await admin.query<{ count: string }>({
          text:
            'SELECT count(*) AS count FROM pg_indexes ' +
            "WHERE schemaname = $1 AND indexname = 'jobs_activation'",
          values: [schema],
        })
        return Number(rows[0]?.count)
      }
      assert.equal(await activationIndexes(), 1)
      const store = await openPostgresStore({ url, schema })
      try {
        await store.commit({
          ...empty,
          subscriptionPuts: [
            {
              key: '1',
              kind: 'timer',
              instanceKey: '100',
              processDefinitionKey: '1',
              bpmnProcessId: 'order',
              elementId: 'wait',
              name: null,
              correlationKey: null,
              dueAt: 5000,
              payload: {},
              createdAt: 0,
            },
          ],
        })
        assert.equal(await store.nextTimerDueAt(), 5000)
        const { rows } = await admin.query<{ version: number }>({
          text: `SELECT max(version) AS version FROM "${schema}".schema_migrations`,
        })
        assert.equal(rows[0]?.version, migrations.length)
        assert.equal(await activationIndexes(), 0, 'jobs_activation is dropped')
      } finally {
        await store.close()
      }
    })

    it('refuses a limit that is negative or not an integer', async () => {
      const store = await openFresh()
      try {
        await assert.rejects(store.dueTimers(0, -1), /invalid limit -1 for dueTimers/)
        await assert.rejects(store.deleteExpiredMessages(0, 1.5), /invalid limit 1.5/)
      } finally {
        await store.close()
      }
    })

    it('refuses a schema name that would need quoting', async () => {
      await assert.rejects(openPostgresStore({ url, schema: 'Baton; DROP' }), RangeError)
    })

    it('names the server and hides the password when it cannot connect', async () => {
      const bad = 'postgres://baton:secret@127.0.0.1:1/none'
      await assert.rejects(openPostgresStore({ url: bad }), (error: unknown) => {
        assert.ok(error instanceof Error)
        assert.match(
          error.message,
          /cannot open the PostgreSQL store at postgres:\/\/baton:\*\*\*@127\.0\.0\.1:1/,
        )
        assert.doesNotMatch(error.message, /secret/)
        return true
      })
    })

    it('rejects a malformed key on write and finds nothing for it on read', async () => {
      const store = await openFresh()
      try {
        assert.equal(await store.loadInstance('12a'), undefined)
        assert.equal(await store.getJob('-1'), undefined)
        assert.equal(await store.getIncident('99999999999999999999'), undefined)
        assert.deepEqual(await store.queryIncidents({ instanceKey: 'x' }), [])
        assert.equal(await store.countInstances({ parentKey: '1.5' }), 0)
        await assert.rejects(store.queryInstances({}, { after: 'abc' }), RangeError)
        await assert.rejects(store.queryInstances({}, { limit: 0 }), RangeError)
        await assert.rejects(
          store.commit({ ...empty, jobDeletes: ['not-a-key'] }),
          /invalid key "not-a-key"/,
        )
      } finally {
        await store.close()
      }
    })

    it('keeps keys beyond 2^53 exact', async () => {
      const store = await openFresh()
      try {
        const key = '9007199254740993'
        await store.commit({ ...empty, jobPuts: [job(key)] })
        assert.equal((await store.getJob(key))?.key, key)
        assert.equal(await store.getJob('9007199254740992'), undefined)
      } finally {
        await store.close()
      }
    })
  })
}
