import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { TestServer } from './test-support.ts'
import { openTestServer, reviewAndPayBpmn } from './test-support.ts'

describe('server/statistics', () => {
  let server: TestServer
  let time = Date.UTC(2030, 0, 1)
  const clock = { now: () => time }
  let definitionKey: string

  before(async () => {
    server = await openTestServer({ engine: { clock } })
    const { engine } = server
    const [deployed] = await engine.deploy({ name: 'review-and-pay.bpmn', xml: reviewAndPayBpmn })
    definitionKey = String(deployed?.key)
    const started = []
    for (let i = 0; i < 3; i++) started.push(await engine.createInstance('review-and-pay'))
    await engine.idle()
    const [declined, paid, dropped] = started.map((s) => s.instanceKey)
    time += 1000
    for (const key of [declined, paid]) {
      const [task] = await engine.userTasks({ instanceKey: key as string })
      await engine.completeUserTask(task?.key as string)
    }
    await engine.idle()
    time += 2000
    const jobs = await engine.activateJobs({ type: 'pay', worker: 'w', timeoutMs: 60_000, max: 10 })
    assert.equal(jobs.length, 2)
    for (const job of jobs) {
      if (job.instanceKey === declined) {
        await engine.failJob(job.key, { retries: 0, errorMessage: 'card declined' })
      } else {
        await engine.completeJob(job.key)
      }
    }
    await engine.cancelInstance(dropped as string)
    await engine.idle()
    time += 5000
  })
  after(async () => server.close())

  it('gives each element its counts, open incidents and durations', async () => {
    const response = await server.app.inject({
      url: `/baton/process-definitions/${definitionKey}/statistics`,
    })
    assert.equal(response.statusCode, 200, response.body)
    const body = response.json<{ items: Record<string, unknown>[] }>()
    const byId = new Map(body.items.map((item) => [item['elementId'], item]))
    assert.deepEqual([...byId.keys()].sort(), ['End', 'Pay', 'Review', 'Start'])
    assert.deepEqual(byId.get('Review'), {
      elementId: 'Review',
      active: 0,
      completed: 2,
      terminated: 1,
      incidents: 0,
      averageDurationMs: 1000,
      p95DurationMs: byId.get('Review')?.['p95DurationMs'],
    })
    const p95 = byId.get('Review')?.['p95DurationMs'] as number
    assert.ok(p95 > 900 && p95 < 1100, `p95 of 1 s durations is about 1 s, got ${p95}`)
    assert.deepEqual(
      { ...byId.get('Pay'), p95DurationMs: 0 },
      {
        elementId: 'Pay',
        active: 1,
        completed: 1,
        terminated: 0,
        incidents: 1,
        averageDurationMs: 2000,
        p95DurationMs: 0,
      },
    )
    assert.equal(byId.get('End')?.['completed'], 1)
  })

  it('counts instances per process version, with cycle times and long waiters', async () => {
    const all = await server.app.inject({ url: '/baton/process-definitions/statistics' })
    assert.equal(all.statusCode, 200, all.body)
    const [version] = all.json<{ items: Record<string, unknown>[] }>().items
    assert.equal(version?.['processDefinitionKey'], definitionKey)
    assert.equal(version?.['processDefinitionId'], 'review-and-pay')
    assert.equal(version?.['processDefinitionVersion'], 1)
    assert.equal(version?.['active'], 1)
    assert.equal(version?.['completed'], 1)
    assert.equal(version?.['terminated'], 1)
    assert.equal(version?.['withIncidents'], 1)
    assert.equal(version?.['waitingLongerThan'], 0, 'nobody waits a day')
    assert.equal(version?.['averageDurationMs'], 3000)
    const waiting = await server.app.inject({
      url: '/baton/process-definitions/statistics?waitingLongerThanMs=5000',
    })
    assert.equal(waiting.statusCode, 200, waiting.body)
    assert.equal(
      waiting.json<{ items: Record<string, unknown>[] }>().items[0]?.['waitingLongerThan'],
      1,
    )
  })

  it('groups open incidents by error', async () => {
    const response = await server.app.inject({ url: '/baton/incidents/groups' })
    assert.equal(response.statusCode, 200, response.body)
    const { items } = response.json<{ items: Record<string, unknown>[] }>()
    assert.equal(items.length, 1)
    assert.equal(items[0]?.['count'], 1)
    assert.match(String(items[0]?.['errorMessage']), /card declined/)
    assert.deepEqual(items[0]?.['processDefinitionKeys'], [definitionKey])
  })

  it('answers 404 for an unknown process definition and 400 for a bad threshold', async () => {
    const unknown = await server.app.inject({ url: '/baton/process-definitions/999/statistics' })
    assert.equal(unknown.statusCode, 404)
    assert.match(unknown.body, /BATON_PROCESS_NOT_FOUND/)
    const bad = await server.app.inject({
      url: '/baton/process-definitions/statistics?waitingLongerThanMs=-3',
    })
    assert.equal(bad.statusCode, 400)
  })
})
