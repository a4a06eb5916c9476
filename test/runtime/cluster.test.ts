/**
 * Several engine nodes on one PostgreSQL schema (issue 6): stale caches, messages published on
 * one node for instances on another, lease heartbeats and the takeover of a killed node's jobs.
 * The torture test (cluster-torture.test.ts) runs all of it at scale with SIGKILLs.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { after, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { Engine } from '../../src/runtime/engine.ts'
import { openPostgresPool } from '../../src/store/postgres/postgres-pool.ts'
import { openPostgresStore } from '../../src/store/postgres/postgres-store.ts'
import { skipUnlessRequired } from '../support/skip-unless-required.ts'
import { postgresUnreachable, testPostgresUrl } from '../support/postgres.ts'

const url = testPostgresUrl

const why = await postgresUnreachable(url)
const schemas: string[] = []
const engines: Engine[] = []
after(async () => {
  for (const engine of engines) await engine.close().catch(() => {})
  if (why !== undefined) return
  const admin = openPostgresPool(url, 1)
  for (const schema of schemas) await admin.query({ text: `DROP SCHEMA "${schema}" CASCADE` })
  await admin.end()
})

function freshSchema(): string {
  const schema = `baton_cluster_${process.pid}_${schemas.length + 1}`
  schemas.push(schema)
  return schema
}

async function node(schema: string, leaseMs = 2000): Promise<Engine> {
  const engine = await Engine.open({
    store: await openPostgresStore({ url, schema, poolSize: 3 }),
    leaseMs,
    pollIntervalMs: 100,
  })
  engines.push(engine)
  return engine
}

function bpmn(id: string, body: string, messages = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d_${id}" targetNamespace="http://bpmn.io/schema/bpmn">
  ${messages}
  <bpmn:process id="${id}" isExecutable="true">${body}</bpmn:process>
</bpmn:definitions>`
}

const forkJoin = bpmn(
  'fork-join',
  `<bpmn:startEvent id="s"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
  <bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="fork" />
  <bpmn:parallelGateway id="fork"><bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>f1</bpmn:outgoing><bpmn:outgoing>f2</bpmn:outgoing></bpmn:parallelGateway>
  <bpmn:sequenceFlow id="f1" sourceRef="fork" targetRef="left" />
  <bpmn:sequenceFlow id="f2" sourceRef="fork" targetRef="right" />
  <bpmn:serviceTask id="left"><bpmn:extensionElements><zeebe:taskDefinition type="left" /></bpmn:extensionElements><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:serviceTask>
  <bpmn:serviceTask id="right"><bpmn:extensionElements><zeebe:taskDefinition type="right" /></bpmn:extensionElements><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing></bpmn:serviceTask>
  <bpmn:sequenceFlow id="f3" sourceRef="left" targetRef="join" />
  <bpmn:sequenceFlow id="f4" sourceRef="right" targetRef="join" />
  <bpmn:parallelGateway id="join"><bpmn:incoming>f3</bpmn:incoming><bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing></bpmn:parallelGateway>
  <bpmn:sequenceFlow id="f5" sourceRef="join" targetRef="e" />
  <bpmn:endEvent id="e"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>`,
)

const awaitMessage = bpmn(
  'await-message',
  `<bpmn:startEvent id="s"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
  <bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="wait" />
  <bpmn:intermediateCatchEvent id="wait"><bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>f1</bpmn:outgoing><bpmn:messageEventDefinition messageRef="m" /></bpmn:intermediateCatchEvent>
  <bpmn:sequenceFlow id="f1" sourceRef="wait" targetRef="e" />
  <bpmn:endEvent id="e"><bpmn:incoming>f1</bpmn:incoming></bpmn:endEvent>`,
  `<bpmn:message id="m" name="go"><bpmn:extensionElements><zeebe:subscription correlationKey="=ref" /></bpmn:extensionElements></bpmn:message>`,
)

const hang = bpmn(
  'hang',
  `<bpmn:startEvent id="s"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
  <bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="t" />
  <bpmn:serviceTask id="t"><bpmn:extensionElements><zeebe:taskDefinition type="hang" /></bpmn:extensionElements><bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>f1</bpmn:outgoing></bpmn:serviceTask>
  <bpmn:sequenceFlow id="f1" sourceRef="t" targetRef="e" />
  <bpmn:endEvent id="e"><bpmn:incoming>f1</bpmn:incoming></bpmn:endEvent>`,
)

const hourly = bpmn(
  'hourly',
  `<bpmn:startEvent id="s"><bpmn:outgoing>f0</bpmn:outgoing><bpmn:timerEventDefinition><bpmn:timeCycle>R3/PT1H</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:startEvent>
  <bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="e" />
  <bpmn:endEvent id="e"><bpmn:incoming>f0</bpmn:incoming></bpmn:endEvent>`,
)

async function until(what: string, check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const start = Date.now()
  while (!(await check())) {
    assert.ok(Date.now() - start < ms, `timed out waiting until ${what}`)
    await sleep(25)
  }
}

describe('runtime/cluster on PostgreSQL', () => {
  it('applies jobs completed on two nodes to an instance one of them has cached', async (t) => {
    if (why !== undefined) return skipUnlessRequired(t, why)
    const schema = freshSchema()
    const a = await node(schema)
    const b = await node(schema)
    await a.deploy({ name: 'fork-join.bpmn', xml: forkJoin })
    // Given an instance a created (and caches) and b has never seen
    const { instanceKey } = await a.createInstance('fork-join')
    const [left] = await b.activateJobs({ type: 'left', worker: 'b', timeoutMs: 60_000, max: 1 })
    const [right] = await a.activateJobs({ type: 'right', worker: 'a', timeoutMs: 60_000, max: 1 })
    assert.ok(left && right)
    // When b completes one job, then a completes the other on its cached (now stale) copy
    await b.completeJob(left.key, { l: 1 })
    await a.completeJob(right.key, { r: 2 })
    // Then both are applied once and the instance completes with both variables
    const record = await b.getInstance(instanceKey)
    assert.equal(record?.status, 'completed')
    assert.deepEqual(record?.state.variables[instanceKey], { l: 1, r: 2 })
    const completions = (await a.history(instanceKey)).filter((e) => e.type === 'JobCompleted')
    assert.deepEqual(
      completions.map((e) => (e as { jobKey: string }).jobKey).sort(),
      [left.key, right.key].sort(),
    )
  })

  it('correlates messages published on one node to instances that wait on another', async (t) => {
    if (why !== undefined) return skipUnlessRequired(t, why)
    const schema = freshSchema()
    const a = await node(schema)
    const b = await node(schema)
    await a.deploy({ name: 'await-message.bpmn', xml: awaitMessage })
    // Waiting first, then published on the other node
    const first = await a.createInstance('await-message', { variables: { ref: 'r-0' } })
    const published = await b.publishMessage({ name: 'go', correlationKey: 'r-0' })
    assert.equal(published.correlatedInstances, 1)
    assert.equal((await a.getInstance(first.instanceKey))?.status, 'completed')
    // Published (and buffered) first, then the instance starts on the other node
    await b.publishMessage({ name: 'go', correlationKey: 'r-1', timeToLiveMs: 60_000 })
    const second = await a.createInstance('await-message', { variables: { ref: 'r-1' } })
    assert.equal((await a.getInstance(second.instanceKey))?.status, 'completed')
    // Both at once, many times: the message and the subscription never miss each other
    const refs = Array.from({ length: 150 }, (_, i) => `race-${i}`)
    const started = await Promise.all(
      refs.map(async (ref) => {
        const [created] = await Promise.all([
          a.createInstance('await-message', { variables: { ref } }),
          b.publishMessage({ name: 'go', correlationKey: ref, timeToLiveMs: 60_000 }),
        ])
        return created.instanceKey
      }),
    )
    for (const key of started) {
      assert.equal((await b.getInstance(key))?.status, 'completed', `instance ${key}`)
    }
    assert.equal(await a.store.countInstances({ status: 'active' }), 0)
  })

  it('starts one instance when two nodes fire the same due time of a timer start event', async (t) => {
    if (why !== undefined) return skipUnlessRequired(t, why)
    const schema = freshSchema()
    const a = await node(schema)
    const b = await node(schema)
    await a.deploy({ name: 'hourly.bpmn', xml: hourly })
    const [timer] = await a.store.dueTimers(Date.now() + 2 * 3_600_000, 10)
    assert.ok(timer?.dueAt)
    // When both nodes fire it at once (as when a stalled node's claim lapsed)
    await Promise.all([
      a.submit({ type: 'FireTimer', subscription: timer }),
      b.submit({ type: 'FireTimer', subscription: timer }),
    ])
    // Then one instance started and the next due time is one hour later, once
    assert.equal(await a.store.countInstances({ bpmnProcessId: 'hourly' }), 1)
    const [next] = await b.store.dueTimers(Date.now() + 3 * 3_600_000, 10)
    assert.equal(next?.dueAt, timer.dueAt + 3_600_000)
  })

  it("renews a working node's leases and hands a killed node's jobs to another within the lease", async (t) => {
    if (why !== undefined) return skipUnlessRequired(t, why)
    const schema = freshSchema()
    const leaseMs = 1000
    const driver = await node(schema, leaseMs)
    await driver.deploy({ name: 'hang.bpmn', xml: hang })
    // Given a node (a process) whose handler holds the job
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        fileURLToPath(new URL('./cluster-node.ts', import.meta.url)),
        url,
        schema,
        String(leaseMs),
        'hang',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    try {
      const childId = await new Promise<string>((resolve) => {
        createInterface({ input: child.stdout }).on('line', (line) => {
          if (line.startsWith('ready ')) resolve(line.slice('ready '.length))
        })
      })
      const { instanceKey } = await driver.createInstance('hang')
      let jobKey = ''
      await until('the node holds the job', async () => {
        const state = (await driver.getInstance(instanceKey))?.state
        const [key] = Object.keys(state?.jobs ?? {})
        const record = key === undefined ? undefined : await driver.getJob(key)
        jobKey = record?.key ?? ''
        return record?.worker === childId
      })
      const takenAt: number[] = []
      driver.worker('hang', () => {
        takenAt.push(Date.now())
        return { done: true }
      })
      // When it works on it for three lease lengths, its heartbeat keeps the job
      await sleep(3 * leaseMs)
      assert.deepEqual(takenAt, [], 'a job was taken from a live node')
      assert.equal((await driver.getJob(jobKey))?.worker, childId)
      // and when it is killed, the job is offered again within the lease (plus polling)
      const killedAt = Date.now()
      child.kill('SIGKILL')
      await exited
      await until('another node takes the job over', async () => takenAt.length > 0)
      const takeoverMs = (takenAt[0] ?? Infinity) - killedAt
      assert.ok(takeoverMs <= leaseMs + 2000, `taken over after ${takeoverMs} ms`)
      await until('the instance completes', async () => {
        return (await driver.getInstance(instanceKey))?.status === 'completed'
      })
      const completions = (await driver.history(instanceKey)).filter(
        (e) => e.type === 'JobCompleted',
      )
      assert.equal(completions.length, 1)
      t.diagnostic(`taken over ${takeoverMs} ms after the SIGKILL (lease ${leaseMs} ms)`)
    } finally {
      child.kill('SIGKILL')
      await exited
    }
  })
})
