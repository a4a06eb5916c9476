import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { WorkerJob } from '../../src/runtime/job-worker.ts'
import {
  engineWith,
  eventsOf,
  settle,
  trail,
  until,
  untilEvent,
} from '../support/engine-harness.ts'

const jobEvents = [
  'JobCreated',
  'JobFailed',
  'IncidentCreated',
  'JobRetriesUpdated',
  'IncidentResolved',
  'JobCompleted',
] as const

describe('engine/service-task', () => {
  it('hands the worker the variables and task headers and sets the variables it returns', async (t) => {
    // given
    const { engine } = await engineWith('charge-card.bpmn')
    t.after(() => engine.close())
    const seen: WorkerJob[] = []
    engine.worker('charge-card', (job) => {
      seen.push(job)
      return { chargeId: 'ch_1', charged: job.variables.amount ?? null }
    })

    // when
    const { instanceKey } = await engine.createInstance('charge-card', {
      variables: { amount: 42 },
    })
    const done = await engine.awaitInstance(instanceKey)

    // then
    assert.equal(done.status, 'completed')
    assert.equal(seen.length, 1)
    const job = seen[0]
    assert.ok(job)
    assert.equal(job.elementId, 'Task_charge')
    assert.equal(job.retries, 2)
    assert.deepEqual(job.variables, { amount: 42 })
    assert.deepEqual(job.headers, { currency: 'EUR', gateway: 'stripe' })
    assert.deepEqual(done.state.variables[instanceKey], {
      amount: 42,
      chargeId: 'ch_1',
      charged: 42,
    })
    const events = await engine.history(instanceKey)
    assert.deepEqual(trail(events, ['JobCreated', 'JobCompleted', 'VariableSet']), [
      'VariableSet amount=42',
      'JobCreated charge-card',
      'JobCompleted',
      'VariableSet chargeId="ch_1"',
      'VariableSet charged=42',
    ])
    assert.deepEqual(eventsOf(events, 'JobCreated')[0]?.headers, {
      currency: 'EUR',
      gateway: 'stripe',
    })
  })

  it('retries a failed job after the backoff, raises JOB_NO_RETRIES when retries run out, and runs it again once resolved', async (t) => {
    // given a model with retries="2" and a worker that fails twice
    const { engine, clock } = await engineWith('charge-card.bpmn')
    t.after(() => engine.close())
    let calls = 0
    engine.worker(
      'charge-card',
      () => {
        calls++
        if (calls <= 2) throw new Error(`card declined (attempt ${calls})`)
        return { charged: true }
      },
      { retryBackoffMs: 60_000, onError: () => {} },
    )

    // when the first attempt fails
    const { instanceKey } = await engine.createInstance('charge-card')
    await untilEvent(engine, instanceKey, 'JobFailed')

    // then the job waits for the backoff with one retry left
    const created = eventsOf(await engine.history(instanceKey), 'JobCreated')[0]
    assert.ok(created)
    const firstFailure = eventsOf(await engine.history(instanceKey), 'JobFailed')[0]
    assert.deepEqual(
      {
        retries: firstFailure?.retries,
        backoff: firstFailure?.retryBackoffMs,
        message: firstFailure?.errorMessage,
      },
      { retries: 1, backoff: 60_000, message: 'card declined (attempt 1)' },
    )
    const waiting = await engine.getJob(created.jobKey)
    assert.equal(waiting?.status, 'activatable')
    assert.equal(waiting.retryAt, clock.now() + 60_000)

    // when the backoff has not quite passed
    clock.advance(59_999)
    await engine.pollNow()
    await settle(engine)

    // then the job is not offered again
    assert.equal(calls, 1)

    // when it has passed and the second attempt fails too
    clock.advance(1)
    await engine.pollNow()
    await untilEvent(engine, instanceKey, 'IncidentCreated')

    // then an incident is open on the task and the job is not offered again
    assert.equal(calls, 2)
    const [incident, ...others] = await engine.incidents({ instanceKey })
    assert.equal(others.length, 0)
    assert.ok(incident)
    assert.equal(incident.errorType, 'JOB_NO_RETRIES')
    assert.equal(incident.elementId, 'Task_charge')
    assert.equal(incident.jobKey, created.jobKey)
    assert.equal(incident.errorMessage, 'card declined (attempt 2)')
    assert.equal((await engine.getInstance(instanceKey))?.hasIncident, true)
    assert.equal((await engine.getJob(created.jobKey))?.status, 'failed')
    clock.advance(3_600_000)
    await engine.pollNow()
    await settle(engine)
    assert.equal(calls, 2)

    // when the incident is resolved
    await engine.resolveIncident(incident.key, { jobRetries: 1 })
    const done = await engine.awaitInstance(instanceKey)

    // then the job ran a third time and the instance completed
    assert.equal(calls, 3)
    assert.equal(done.status, 'completed')
    assert.equal(done.hasIncident, false)
    assert.equal((await engine.incidents({ instanceKey }))[0]?.status, 'resolved')
    assert.deepEqual(trail(await engine.history(instanceKey), jobEvents), [
      'JobCreated charge-card',
      'JobFailed',
      'JobFailed',
      'IncidentCreated Task_charge JOB_NO_RETRIES',
      'JobRetriesUpdated',
      'IncidentResolved',
      'JobCompleted',
    ])
  })

  it('offers the job of a hung handler again once its lease timed out, and completes it once', async (t) => {
    // given a worker whose first handler call hangs
    const { engine, clock } = await engineWith('charge-card.bpmn')
    let release = (): void => {}
    const hung = new Promise<void>((resolve) => (release = resolve))
    t.after(async () => {
      release()
      await engine.close()
    })
    let calls = 0
    const errors: unknown[] = []
    engine.worker(
      'charge-card',
      async () => {
        calls++
        if (calls === 1) {
          await hung
          return { attempt: 1 }
        }
        return { attempt: 2 }
      },
      { timeoutMs: 30_000, onError: (error) => errors.push(error) },
    )
    const { instanceKey } = await engine.createInstance('charge-card')
    await until(engine, () => calls === 1, 'the worker got the job')

    // when the lease has not expired yet
    clock.advance(29_999)
    await engine.pollNow()
    await settle(engine)

    // then nobody else gets the job
    assert.equal(calls, 1)

    // when the lease expires
    clock.advance(1)
    await engine.pollNow()
    const done = await engine.awaitInstance(instanceKey)

    // then the job ran again and the instance completed with the second attempt's variables
    assert.equal(calls, 2)
    assert.equal(done.status, 'completed')
    assert.equal(done.state.variables[instanceKey]?.attempt, 2)

    // when the hung handler finally returns
    release()
    await until(engine, () => errors.length > 0, 'the late completion was refused')

    // then its completion was refused and the job completed exactly once
    const events = await engine.history(instanceKey)
    assert.equal(eventsOf(events, 'JobCompleted').length, 1)
    assert.equal(eventsOf(events, 'JobFailed').length, 0)
    assert.equal((errors[0] as { code?: string }).code, 'BATON_INSTANCE_NOT_ACTIVE')
  })

  it('hands jobs to a worker with room without asking the store after each one', async (t) => {
    // given a worker that takes every job in the write that creates it
    const { engine } = await engineWith('charge-card.bpmn')
    t.after(() => engine.close())
    engine.worker('charge-card', () => ({ charged: true }))
    await settle(engine)
    const activate = engine.activateJobs.bind(engine)
    let queries = 0
    engine.activateJobs = (request) => {
      queries++
      return activate(request)
    }

    // when 20 instances run one after the other
    for (let i = 0; i < 20; i++) {
      const { instanceKey } = await engine.createInstance('charge-card', {
        variables: { amount: i },
      })
      assert.equal((await engine.awaitInstance(instanceKey)).status, 'completed')
    }

    // then the store was not queried for due jobs once per finished job
    assert.ok(queries < 5, `${queries} job queries for 20 jobs handed over`)
  })

  it('takes the jobs created while it had no room once its running job is done', async (t) => {
    // given a worker with room for one job, held until released
    const { engine } = await engineWith('charge-card.bpmn')
    t.after(() => engine.close())
    const releases: (() => void)[] = []
    engine.worker(
      'charge-card',
      () =>
        new Promise<{ charged: boolean }>((resolve) =>
          releases.push(() => resolve({ charged: true })),
        ),
      { maxActive: 1 },
    )

    // when four instances start at once
    const keys = await Promise.all(
      [1, 2, 3, 4].map(async (amount) => {
        const { instanceKey } = await engine.createInstance('charge-card', {
          variables: { amount },
        })
        return instanceKey
      }),
    )
    for (let done = 0; done < 4; done++) {
      await until(engine, () => releases.length > done, `job ${done + 1} handed over`)
      assert.equal(releases.length, done + 1, 'one job at a time')
      releases[done]?.()
    }

    // then every instance completed, one job after the other
    for (const key of keys) assert.equal((await engine.awaitInstance(key)).status, 'completed')
  })
})
