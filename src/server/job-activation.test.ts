import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import type { ActivatedJobWire } from '../client/wire-types.ts'
import type { TestServer } from './test-support.ts'
import { deploy, openTestServer, referenceBpmn, reviewAndPayBpmn } from './test-support.ts'

describe('server/jobs', () => {
  let server: TestServer
  beforeEach(async () => {
    server = await openTestServer()
    await deploy(server.app, [
      { name: 'reference.bpmn', content: referenceBpmn },
      { name: 'review-and-pay.bpmn', content: reviewAndPayBpmn },
    ])
  })
  afterEach(() => server.close())

  async function startReference(variables: object = {}): Promise<string> {
    const response = await server.app.inject({
      method: 'POST',
      url: '/v2/process-instances',
      payload: { processDefinitionId: 'reference', variables },
    })
    assert.equal(response.statusCode, 200, response.body)
    return response.json<{ processInstanceKey: string }>().processInstanceKey
  }

  async function activate(
    type: string,
    extra: object = {},
  ): Promise<{ statusCode: number; jobs: ActivatedJobWire[] }> {
    const response = await server.app.inject({
      method: 'POST',
      url: '/v2/jobs/activation',
      payload: {
        type,
        worker: 'test',
        timeout: 60_000,
        maxJobsToActivate: 10,
        requestTimeout: -1,
        ...extra,
      },
    })
    return {
      statusCode: response.statusCode,
      jobs: response.json<{ jobs: ActivatedJobWire[] }>().jobs ?? [],
    }
  }

  async function waitingActivations(): Promise<number> {
    const metrics = await server.app.inject({ method: 'GET', url: '/metrics' })
    const match = /^baton_job_activations_waiting (\d+)$/m.exec(metrics.body)
    return Number(match?.[1])
  }

  it('activates a job with its variables, headers and lease, and completes it', async () => {
    const instanceKey = await startReference({ amount: 5 })
    const { statusCode, jobs } = await activate('validate')
    assert.equal(statusCode, 200)
    assert.equal(jobs.length, 1)
    const job = jobs[0] as ActivatedJobWire
    assert.equal(job.type, 'validate')
    assert.equal(job.processInstanceKey, instanceKey)
    assert.equal(job.processDefinitionId, 'reference')
    assert.equal(job.processDefinitionVersion, 1)
    assert.equal(job.elementId, 'Validate')
    assert.equal(job.retries, 3)
    assert.equal(job.worker, 'test')
    assert.ok(job.deadline > Date.now())
    assert.deepEqual(job.variables, { amount: 5 })
    assert.equal((await activate('validate')).jobs.length, 0, 'a leased job is not offered twice')

    const complete = await server.app.inject({
      method: 'POST',
      url: `/v2/jobs/${job.jobKey}/completion`,
      payload: { variables: { valid: true } },
    })
    assert.equal(complete.statusCode, 204)
    const next = await activate('charge', { fetchVariable: ['valid'] })
    assert.deepEqual(next.jobs[0]?.variables, { valid: true })
  })

  it('answers 404 when completing a job that was already completed', async () => {
    await startReference()
    const job = (await activate('validate')).jobs[0] as ActivatedJobWire
    const url = `/v2/jobs/${job.jobKey}/completion`
    assert.equal((await server.app.inject({ method: 'POST', url })).statusCode, 204)
    const again = await server.app.inject({ method: 'POST', url, payload: {} })
    assert.equal(again.statusCode, 404)
    assert.equal(again.json<{ code: string }>().code, 'BATON_JOB_NOT_FOUND')
    const unknown = await server.app.inject({
      method: 'POST',
      url: '/v2/jobs/99/failure',
      payload: {},
    })
    assert.equal(unknown.json<{ code: string }>().code, 'BATON_JOB_NOT_FOUND')
  })

  it('fails a job: with retries left it comes back, without them an incident opens and resolves', async () => {
    const instanceKey = await startReference()
    let job = (await activate('validate')).jobs[0] as ActivatedJobWire
    const retry = await server.app.inject({
      method: 'POST',
      url: `/v2/jobs/${job.jobKey}/failure`,
      payload: { retries: 1, errorMessage: 'flaky', retryBackOff: 0 },
    })
    assert.equal(retry.statusCode, 204)
    job = (await activate('validate')).jobs[0] as ActivatedJobWire
    assert.equal(job.retries, 1)

    const fail = await server.app.inject({
      method: 'POST',
      url: `/v2/jobs/${job.jobKey}/failure`,
      payload: { errorMessage: 'card declined' },
    })
    assert.equal(fail.statusCode, 204)
    const search = await server.app.inject({
      method: 'POST',
      url: '/v2/incidents/search',
      payload: { filter: { processInstanceKey: instanceKey, state: 'ACTIVE' } },
    })
    assert.equal(search.statusCode, 200, search.body)
    const incidents = search.json<{ items: Record<string, unknown>[] }>().items
    assert.equal(incidents.length, 1)
    assert.equal(incidents[0]?.['errorType'], 'JOB_NO_RETRIES')
    assert.equal(incidents[0]?.['errorMessage'], 'card declined')
    assert.equal(incidents[0]?.['jobKey'], job.jobKey)
    const byType = await server.app.inject({
      method: 'POST',
      url: '/v2/incidents/search',
      payload: { filter: { errorType: 'JOB_NO_RETRIES', elementId: 'Validate' } },
    })
    assert.equal(byType.json<{ items: unknown[] }>().items.length, 1)
    const instance = await server.app.inject({
      method: 'GET',
      url: `/v2/process-instances/${instanceKey}`,
    })
    assert.equal(instance.json<{ hasIncident: boolean }>().hasIncident, true)

    const incidentKey = incidents[0]?.['incidentKey'] as string
    const resolve = await server.app.inject({
      method: 'POST',
      url: `/v2/incidents/${incidentKey}/resolution`,
      payload: { jobRetries: 2 },
    })
    assert.equal(resolve.statusCode, 204)
    const again = (await activate('validate')).jobs[0]
    assert.equal(again?.retries, 2)
    const twice = await server.app.inject({
      method: 'POST',
      url: `/v2/incidents/${incidentKey}/resolution`,
    })
    assert.equal(twice.statusCode, 404)
    assert.equal(twice.json<{ code: string }>().code, 'BATON_INCIDENT_NOT_FOUND')
  })

  it('throws a BPMN error: uncaught, it becomes an incident', async () => {
    const instanceKey = await startReference()
    const job = (await activate('validate')).jobs[0] as ActivatedJobWire
    const thrown = await server.app.inject({
      method: 'POST',
      url: `/v2/jobs/${job.jobKey}/error`,
      payload: { errorCode: 'INVALID_ORDER', errorMessage: 'no items' },
    })
    assert.equal(thrown.statusCode, 204)
    const search = await server.app.inject({
      method: 'POST',
      url: '/v2/incidents/search',
      payload: { filter: { processInstanceKey: instanceKey } },
    })
    const incidents = search.json<{ items: { errorType: string }[] }>().items
    assert.deepEqual(
      incidents.map((i) => i.errorType),
      ['UNHANDLED_ERROR_EVENT'],
    )
    const missingCode = await server.app.inject({
      method: 'POST',
      url: `/v2/jobs/${job.jobKey}/error`,
      payload: { errorMessage: 'x' },
    })
    assert.equal(missingCode.statusCode, 400)
  })

  it('long polling: a waiting activation answers as soon as a job is created', async () => {
    assert.equal((await activate('validate')).jobs.length, 0)
    const waiting = server.app.inject({
      method: 'POST',
      url: '/v2/jobs/activation',
      payload: { type: 'validate', timeout: 60_000, maxJobsToActivate: 1, requestTimeout: 30_000 },
    })
    // The request is parked before the instance exists, so only a wake-up can answer it.
    for (let i = 0; i < 1000 && (await waitingActivations()) === 0; i++) {
      await new Promise((resolve) => setImmediate(resolve))
    }
    assert.equal(await waitingActivations(), 1)
    const instanceKey = await startReference()
    const response = await waiting
    assert.equal(response.statusCode, 200)
    const jobs = response.json<{ jobs: ActivatedJobWire[] }>().jobs
    assert.equal(jobs.length, 1)
    assert.equal(jobs[0]?.processInstanceKey, instanceKey)
    assert.equal(await waitingActivations(), 0)
  })

  it('long polling: answers with no jobs once requestTimeout passed', async () => {
    const started = Date.now()
    const { statusCode, jobs } = await activate('nobody-makes-these', { requestTimeout: 30 })
    assert.equal(statusCode, 200)
    assert.deepEqual(jobs, [])
    assert.ok(Date.now() - started >= 25)
  })

  it('closing the server answers waiting activations', async () => {
    const waiting = server.app.inject({
      method: 'POST',
      url: '/v2/jobs/activation',
      payload: { type: 'never', timeout: 1000, maxJobsToActivate: 1, requestTimeout: 60_000 },
    })
    for (let i = 0; i < 1000 && (await waitingActivations()) === 0; i++) {
      await new Promise((resolve) => setImmediate(resolve))
    }
    await server.app.close()
    const response = await waiting
    assert.deepEqual(response.json(), { jobs: [] })
  })
})

describe('server/user-tasks', () => {
  let server: TestServer
  let taskKey: string
  beforeEach(async () => {
    server = await openTestServer()
    await deploy(server.app, [{ name: 'review-and-pay.bpmn', content: reviewAndPayBpmn }])
    await server.app.inject({
      method: 'POST',
      url: '/v2/process-instances',
      payload: { processDefinitionId: 'review-and-pay', variables: { invoice: 7 } },
    })
    const search = await server.app.inject({
      method: 'POST',
      url: '/v2/user-tasks/search',
      payload: { filter: { state: 'CREATED' } },
    })
    taskKey = search.json<{ items: { userTaskKey: string }[] }>().items[0]?.userTaskKey as string
  })
  afterEach(() => server.close())

  it('finds, assigns, unassigns and completes a task', async () => {
    const get = await server.app.inject({ method: 'GET', url: `/v2/user-tasks/${taskKey}` })
    assert.equal(get.statusCode, 200)
    const task = get.json<Record<string, unknown>>()
    assert.equal(task['name'], 'Review invoice')
    assert.equal(task['state'], 'CREATED')
    assert.deepEqual(task['candidateGroups'], ['reviewers'])
    assert.deepEqual(task['candidateUsers'], ['carol'])
    assert.equal('assignee' in task, false, 'an unassigned task has no assignee field')

    const assign = await server.app.inject({
      method: 'POST',
      url: `/v2/user-tasks/${taskKey}/assignment`,
      payload: { assignee: 'dave' },
    })
    assert.equal(assign.statusCode, 204)
    const byAssignee = await server.app.inject({
      method: 'POST',
      url: '/v2/user-tasks/search',
      payload: { filter: { assignee: 'dave' } },
    })
    assert.equal(byAssignee.json<{ items: unknown[] }>().items.length, 1)

    const claim = await server.app.inject({
      method: 'POST',
      url: `/v2/user-tasks/${taskKey}/assignment`,
      payload: { assignee: 'erin', allowOverride: false },
    })
    assert.equal(claim.statusCode, 409)
    assert.equal(claim.json<{ code: string }>().code, 'BATON_USER_TASK_ALREADY_ASSIGNED')

    const unassign = await server.app.inject({
      method: 'DELETE',
      url: `/v2/user-tasks/${taskKey}/assignee`,
    })
    assert.equal(unassign.statusCode, 204)
    const after = await server.app.inject({ method: 'GET', url: `/v2/user-tasks/${taskKey}` })
    assert.equal('assignee' in after.json<object>(), false)

    const complete = await server.app.inject({
      method: 'POST',
      url: `/v2/user-tasks/${taskKey}/completion`,
      payload: { variables: { approved: true } },
    })
    assert.equal(complete.statusCode, 204)
    const done = await server.app.inject({ method: 'GET', url: `/v2/user-tasks/${taskKey}` })
    assert.equal(done.json<{ state: string }>().state, 'COMPLETED')
    const again = await server.app.inject({
      method: 'POST',
      url: `/v2/user-tasks/${taskKey}/completion`,
    })
    assert.equal(again.statusCode, 409)
    assert.equal(again.json<{ code: string }>().code, 'BATON_USER_TASK_NOT_ACTIVE')

    const pay = await server.app.inject({
      method: 'POST',
      url: '/v2/jobs/activation',
      payload: { type: 'pay', timeout: 1000, maxJobsToActivate: 1, requestTimeout: -1 },
    })
    const job = pay.json<{ jobs: ActivatedJobWire[] }>().jobs[0]
    assert.deepEqual(job?.variables, { invoice: 7, approved: true })
    assert.deepEqual(job?.customHeaders, { currency: 'EUR' })
  })

  it('answers 404 for an unknown task', async () => {
    const response = await server.app.inject({ method: 'GET', url: '/v2/user-tasks/77' })
    assert.equal(response.statusCode, 404)
    assert.equal(response.json<{ code: string }>().code, 'BATON_USER_TASK_NOT_FOUND')
  })
})
