/**
 * A message start event and the correlation key of its message (Camunda 8's rule): while an
 * instance a message with a key started is active, another message with that key starts no
 * instance of the process (any version); with a time to live it waits, buffered, and the oldest
 * such message starts the next instance when the active one ends. Run on SQLite and PostgreSQL,
 * and with two engine nodes on one PostgreSQL schema.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it, type TestContext } from 'node:test'
import type { Key } from '../../src/engine/types.ts'
import { Engine } from '../../src/runtime/engine.ts'
import type { InstanceRecord } from '../../src/store/store.ts'
import { openPostgresPool } from '../../src/store/postgres/postgres-pool.ts'
import { openPostgresStore } from '../../src/store/postgres/postgres-store.ts'
import { FakeClock } from '../support/engine-harness.ts'
import { skipUnlessRequired } from '../support/skip-unless-required.ts'
import { postgresUnreachable, testPostgresUrl } from '../support/postgres.ts'

const url = testPostgresUrl

const postgresMissing = await postgresUnreachable(url)
const tempDir = mkdtempSync(join(tmpdir(), 'baton-message-start-'))
const schemas: string[] = []
after(async () => {
  rmSync(tempDir, { recursive: true, force: true })
  if (postgresMissing !== undefined) return
  const admin = openPostgresPool(url, 1)
  for (const schema of schemas) await admin.query({ text: `DROP SCHEMA "${schema}" CASCADE` })
  await admin.end()
})

/** Where an engine keeps its data (a SQLite file or a PostgreSQL schema), and how to open it. */
interface Backend {
  readonly name: string
  /** Why it cannot run here, if it cannot. */
  readonly missing: string | undefined
  place(): string
  open(place: string, clock?: FakeClock): Promise<Engine>
}

let places = 0
const backends: readonly Backend[] = [
  {
    name: 'SQLite',
    missing: undefined,
    place: () => join(tempDir, `baton-${++places}.db`),
    open: (path, clock) => Engine.open({ path, durable: false, ...(clock ? { clock } : {}) }),
  },
  {
    name: 'PostgreSQL',
    missing: postgresMissing,
    place: () => {
      const schema = `baton_msgstart_${process.pid}_${++places}`
      schemas.push(schema)
      return schema
    },
    open: async (schema, clock) =>
      Engine.open({
        store: await openPostgresStore({ url, schema, poolSize: 3 }),
        pollIntervalMs: 100,
        ...(clock ? { clock } : {}),
      }),
  },
]

const model = (name = 'Orders'): string => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="Definitions_orders" targetNamespace="https://baton.dev/test">
  <bpmn:message id="Msg_placed" name="order-placed" />
  <bpmn:process id="orders" name="${name}" isExecutable="true">
    <bpmn:startEvent id="Placed"><bpmn:messageEventDefinition messageRef="Msg_placed" /></bpmn:startEvent>
    <bpmn:startEvent id="Manual" />
    <bpmn:sequenceFlow id="f1" sourceRef="Placed" targetRef="Handle" />
    <bpmn:sequenceFlow id="f2" sourceRef="Manual" targetRef="Handle" />
    <bpmn:userTask id="Handle"><bpmn:extensionElements><zeebe:userTask /></bpmn:extensionElements></bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="Handle" targetRef="End" />
    <bpmn:endEvent id="End" />
  </bpmn:process>
</bpmn:definitions>`

const minute = 60_000

function placed(correlationKey: string, n: number, timeToLiveMs = 0) {
  return { name: 'order-placed', correlationKey, variables: { n }, timeToLiveMs }
}

/** The active instances of `orders` for a correlation key (business key), oldest first. */
async function activeFor(engine: Engine, correlationKey: string): Promise<InstanceRecord[]> {
  return engine.instances({
    bpmnProcessId: 'orders',
    status: 'active',
    businessKey: correlationKey,
  })
}

async function countFor(engine: Engine, correlationKey: string): Promise<number> {
  return engine.store.countInstances({ bpmnProcessId: 'orders', businessKey: correlationKey })
}

function n(instance: InstanceRecord | undefined): unknown {
  return instance?.state.variables[instance.key]?.['n']
}

/** Completes the user task of an instance, so that it ends. */
async function finish(engine: Engine, instanceKey: Key): Promise<void> {
  const [task] = await engine.userTasks({ instanceKey, status: 'created' })
  assert.ok(task, `instance ${instanceKey} waits at its user task`)
  await engine.completeUserTask(task.key)
}

for (const backend of backends) {
  describe(`engine/message-start-correlation-key on ${backend.name}`, () => {
    async function open(t: TestContext): Promise<{ engine: Engine; clock: FakeClock } | undefined> {
      if (backend.missing !== undefined) {
        skipUnlessRequired(t, backend.missing)
        return undefined
      }
      const clock = new FakeClock()
      const engine = await backend.open(backend.place(), clock)
      t.after(() => engine.close())
      await engine.deploy({ name: 'orders.bpmn', xml: model() })
      return { engine, clock }
    }

    it('starts no second instance for a correlation key while one is active; the message is buffered', async (t) => {
      const opened = await open(t)
      if (!opened) return
      const { engine } = opened
      const first = await engine.publishMessage(placed('o-1', 1))
      assert.equal(first.correlatedInstances, 1)
      assert.equal(first.buffered, false)
      const second = await engine.publishMessage(placed('o-1', 2, minute))
      assert.equal(second.correlatedInstances, 0, 'the active instance holds the key')
      assert.equal(second.buffered, true)
      const other = await engine.publishMessage(placed('o-2', 3))
      assert.equal(other.correlatedInstances, 1, 'another key starts its own instance')
      assert.equal(await countFor(engine, 'o-1'), 1)
      assert.deepEqual((await activeFor(engine, 'o-1')).map(n), [1])
      assert.deepEqual((await activeFor(engine, 'o-2')).map(n), [3])
    })

    it('starts the next instance from the oldest buffered message when the active one completes, one at a time', async (t) => {
      const opened = await open(t)
      if (!opened) return
      const { engine } = opened
      await engine.publishMessage(placed('o-1', 1))
      await engine.publishMessage(placed('o-1', 2, minute))
      await engine.publishMessage(placed('o-1', 3, minute))
      const [first] = await activeFor(engine, 'o-1')
      await finish(engine, first?.key ?? '')
      const [second, ...others] = await activeFor(engine, 'o-1')
      assert.equal(n(second), 2, 'the oldest buffered message starts the next instance')
      assert.deepEqual(others, [], 'the other message still waits')
      assert.equal(second?.state.startCorrelationKey, 'o-1')
      await finish(engine, second?.key ?? '')
      const [third] = await activeFor(engine, 'o-1')
      assert.equal(n(third), 3)
      await finish(engine, third?.key ?? '')
      assert.deepEqual(await activeFor(engine, 'o-1'), [])
      assert.equal(await countFor(engine, 'o-1'), 3)
      const started = await engine.publishMessage(placed('o-1', 4))
      assert.equal(started.correlatedInstances, 1, 'the key is free again')
    })

    it('starts the next instance when the active one is cancelled', async (t) => {
      const opened = await open(t)
      if (!opened) return
      const { engine } = opened
      await engine.publishMessage(placed('o-1', 1))
      await engine.publishMessage(placed('o-1', 2, minute))
      const [first] = await activeFor(engine, 'o-1')
      await engine.cancelInstance(first?.key ?? '')
      assert.equal((await engine.getInstance(first?.key ?? ''))?.status, 'terminated')
      assert.deepEqual((await activeFor(engine, 'o-1')).map(n), [2])
    })

    it('drops a message without a time to live, and one that expired before the instance ended', async (t) => {
      const opened = await open(t)
      if (!opened) return
      const { engine, clock } = opened
      await engine.publishMessage(placed('o-1', 1))
      const dropped = await engine.publishMessage(placed('o-1', 2))
      assert.deepEqual([dropped.correlatedInstances, dropped.buffered], [0, false])
      await engine.publishMessage(placed('o-1', 3, 1000))
      clock.advance(2000)
      const [first] = await activeFor(engine, 'o-1')
      await finish(engine, first?.key ?? '')
      assert.deepEqual(await activeFor(engine, 'o-1'), [])
      assert.equal(await countFor(engine, 'o-1'), 1)
    })

    it('always starts an instance for a message with an empty correlation key', async (t) => {
      const opened = await open(t)
      if (!opened) return
      const { engine } = opened
      for (let i = 0; i < 3; i++) {
        const result = await engine.publishMessage(placed('', i))
        assert.equal(result.correlatedInstances, 1)
      }
      await engine.publishMessage({ name: 'order-placed' })
      assert.equal(await engine.store.countInstances({ status: 'active' }), 4)
    })

    it('counts only instances a message started, and holds the key for every version of the process', async (t) => {
      const opened = await open(t)
      if (!opened) return
      const { engine } = opened
      // An instance started otherwise, with the same business key, does not hold the key
      const manual = await engine.createInstance('orders', { businessKey: 'o-1' })
      assert.equal((await engine.publishMessage(placed('o-1', 1))).correlatedInstances, 1)
      const held = (await activeFor(engine, 'o-1')).find((i) => i.key !== manual.instanceKey)
      assert.equal(held?.version, 1)
      // A new version: the version 1 instance still holds the key
      await engine.deploy({ name: 'orders.bpmn', xml: model('Orders v2') })
      const waiting = await engine.publishMessage(placed('o-1', 2, minute))
      assert.deepEqual([waiting.correlatedInstances, waiting.buffered], [0, true])
      // The manual instance ending changes nothing; the message-started one ending does
      await finish(engine, manual.instanceKey)
      assert.deepEqual(
        (await activeFor(engine, 'o-1')).map((i) => i.key),
        [held?.key],
      )
      await finish(engine, held?.key ?? '')
      const [next] = await activeFor(engine, 'o-1')
      assert.deepEqual([n(next), next?.version], [2, 2], 'the latest version starts')
    })

    it('keeps the rule across a restart', async (t) => {
      if (backend.missing !== undefined) return skipUnlessRequired(t, backend.missing)
      const place = backend.place()
      const clock = new FakeClock()
      const engine = await backend.open(place, clock)
      await engine.deploy({ name: 'orders.bpmn', xml: model() })
      await engine.publishMessage(placed('o-1', 1))
      await engine.publishMessage(placed('o-1', 2, minute))
      await engine.close()

      const reopened = await backend.open(place, clock)
      t.after(() => reopened.close())
      const third = await reopened.publishMessage(placed('o-1', 3, minute))
      assert.deepEqual([third.correlatedInstances, third.buffered], [0, true])
      const [first] = await activeFor(reopened, 'o-1')
      assert.equal(n(first), 1)
      await finish(reopened, first?.key ?? '')
      const [second] = await activeFor(reopened, 'o-1')
      assert.equal(n(second), 2, 'in publish order')
      await finish(reopened, second?.key ?? '')
      assert.deepEqual((await activeFor(reopened, 'o-1')).map(n), [3])
    })
  })
}

describe('engine/message-start-correlation-key with two nodes on PostgreSQL', () => {
  async function twoNodes(t: TestContext): Promise<[Engine, Engine] | undefined> {
    if (postgresMissing !== undefined) {
      skipUnlessRequired(t, postgresMissing)
      return undefined
    }
    const postgres = backends[1] as Backend
    const schema = postgres.place()
    const a = await postgres.open(schema)
    t.after(() => a.close())
    const b = await postgres.open(schema)
    t.after(() => b.close())
    await a.deploy({ name: 'orders.bpmn', xml: model() })
    return [a, b]
  }

  it('starts exactly one instance when two nodes publish the same correlation key at once', async (t) => {
    const nodes = await twoNodes(t)
    if (!nodes) return
    const [a, b] = nodes
    const keys = Array.from({ length: 40 }, (_, i) => `race-${i}`)
    await Promise.all(
      keys.map(async (key) => {
        const results = await Promise.all([
          a.publishMessage(placed(key, 1, minute)),
          b.publishMessage(placed(key, 2, minute)),
        ])
        assert.deepEqual(
          results.map((r) => r.correlatedInstances).sort(),
          [0, 1],
          `one of the two messages for ${key} starts an instance`,
        )
        assert.deepEqual(results.map((r) => r.buffered).sort(), [false, true])
      }),
    )
    for (const key of keys) assert.equal(await countFor(a, key), 1, key)
  })

  it('never leaves a message buffered for nothing when the active instance ends on another node meanwhile', async (t) => {
    const nodes = await twoNodes(t)
    if (!nodes) return
    const [a, b] = nodes
    const keys = Array.from({ length: 40 }, (_, i) => `end-${i}`)
    for (const key of keys) await a.publishMessage(placed(key, 1))
    await Promise.all(
      keys.map(async (key) => {
        const [holder] = await activeFor(a, key)
        await Promise.all([finish(a, holder?.key ?? ''), b.publishMessage(placed(key, 2, minute))])
      }),
    )
    for (const key of keys) {
      assert.deepEqual((await activeFor(b, key)).map(n), [2], `${key}: the second message started`)
      assert.equal(await countFor(b, key), 2, key)
    }
  })
})
