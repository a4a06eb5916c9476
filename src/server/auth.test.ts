import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import type { TestServer } from './test-support.ts'
import {
  deploy,
  multipart,
  openTestServer,
  referenceBpmn,
  reviewAndPayBpmn,
} from './test-support.ts'
import type { TokenStore } from './tokens.ts'
import { createMemoryTokenStore } from './tokens.ts'

describe('server/auth', () => {
  let server: TestServer
  let tokens: TokenStore
  const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` })
  let admin: Record<string, string>
  let operator: Record<string, string>
  let worker: Record<string, string>
  let carol: Record<string, string>
  let reviewer: Record<string, string>
  let outsider: Record<string, string>

  beforeEach(async () => {
    tokens = createMemoryTokenStore()
    server = await openTestServer({ auth: { mode: 'tokens', tokens } })
    admin = bearer(await tokens.create('admin'))
    operator = bearer(await tokens.create('operator'))
    worker = bearer(await tokens.create('worker'))
    carol = bearer(await tokens.create('task-user', { user: 'carol' }))
    reviewer = bearer(await tokens.create('task-user', { user: 'rita', groups: ['reviewers'] }))
    outsider = bearer(await tokens.create('task-user', { user: 'oscar', groups: ['sales'] }))
    await deploy(
      server.app,
      [
        { name: 'reference.bpmn', content: referenceBpmn },
        { name: 'review-and-pay.bpmn', content: reviewAndPayBpmn },
      ],
      admin,
    )
  })
  afterEach(() => server.close())

  async function firstTaskKey(): Promise<string> {
    await server.app.inject({
      method: 'POST',
      url: '/v2/process-instances',
      headers: operator,
      payload: { processDefinitionId: 'review-and-pay' },
    })
    const search = await server.app.inject({
      method: 'POST',
      url: '/v2/user-tasks/search',
      headers: admin,
      payload: {},
    })
    return search.json<{ items: { userTaskKey: string }[] }>().items[0]?.userTaskKey as string
  }

  it('answers 401 problem+json without a token, with a bad one, and for unknown routes', async () => {
    for (const headers of [
      {},
      bearer('baton_0000000000000000_xxx'),
      { authorization: 'Basic abc' },
    ]) {
      const response = await server.app.inject({ method: 'GET', url: '/v2/topology', headers })
      assert.equal(response.statusCode, 401)
      assert.match(String(response.headers['content-type']), /^application\/problem\+json/)
      assert.equal(response.headers['www-authenticate'], 'Bearer realm="baton"')
      assert.equal(response.json<{ code: string }>().code, 'BATON_AUTH_REQUIRED')
    }
    const unknown = await server.app.inject({ method: 'GET', url: '/v2/nope' })
    assert.equal(unknown.statusCode, 401)
    for (const url of ['/metrics', '/v2/openapi.json', '/docs']) {
      assert.equal((await server.app.inject({ method: 'GET', url })).statusCode, 401, url)
    }
  })

  it('checks the token before reading the body', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/v2/process-instances',
      headers: { 'content-type': 'application/json' },
      payload: '{not json',
    })
    assert.equal(response.statusCode, 401)
  })

  it('lets anyone see /health', async () => {
    const response = await server.app.inject({ method: 'GET', url: '/health' })
    assert.equal(response.statusCode, 200)
  })

  it('answers 403 for the wrong role', async () => {
    const body = multipart([{ name: 'reference.bpmn', content: referenceBpmn }])
    const deployAsWorker = await server.app.inject({
      method: 'POST',
      url: '/v2/deployments',
      headers: { ...body.headers, ...worker },
      payload: body.payload,
    })
    assert.equal(deployAsWorker.statusCode, 403)
    assert.equal(deployAsWorker.json<{ code: string }>().code, 'BATON_AUTH_FORBIDDEN')
    assert.match(
      deployAsWorker.json<{ detail: string }>().detail,
      /worker token may not call POST \/v2\/deployments/,
    )
    const activateAsOperator = await server.app.inject({
      method: 'POST',
      url: '/v2/jobs/activation',
      headers: operator,
      payload: { type: 'validate', timeout: 1000, maxJobsToActivate: 1, requestTimeout: -1 },
    })
    assert.equal(activateAsOperator.statusCode, 403)
    const instancesAsTaskUser = await server.app.inject({
      method: 'POST',
      url: '/v2/process-instances/search',
      headers: carol,
      payload: {},
    })
    assert.equal(instancesAsTaskUser.statusCode, 403)
    const metricsAsWorker = await server.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: worker,
    })
    assert.equal(metricsAsWorker.statusCode, 403)
  })

  it('admits each role to its own routes, and admin to all', async () => {
    const start = await server.app.inject({
      method: 'POST',
      url: '/v2/process-instances',
      headers: operator,
      payload: { processDefinitionId: 'reference' },
    })
    assert.equal(start.statusCode, 200)
    for (const headers of [worker, admin]) {
      const activate = await server.app.inject({
        method: 'POST',
        url: '/v2/jobs/activation',
        headers,
        payload: { type: 'validate', timeout: 1000, maxJobsToActivate: 1, requestTimeout: -1 },
      })
      assert.equal(activate.statusCode, 200)
    }
    for (const headers of [admin, operator, worker, carol]) {
      const topology = await server.app.inject({ method: 'GET', url: '/v2/topology', headers })
      assert.equal(topology.statusCode, 200)
    }
  })

  it('shows a task-user only the tasks assigned or offered to it', async () => {
    const key = await firstTaskKey()
    const search = async (headers: Record<string, string>): Promise<string[]> => {
      const response = await server.app.inject({
        method: 'POST',
        url: '/v2/user-tasks/search',
        headers,
        payload: {},
      })
      assert.equal(response.statusCode, 200)
      return response.json<{ items: { userTaskKey: string }[] }>().items.map((t) => t.userTaskKey)
    }
    assert.deepEqual(await search(carol), [key], 'candidate user')
    assert.deepEqual(await search(reviewer), [key], 'candidate group')
    assert.deepEqual(await search(outsider), [])
    const get = await server.app.inject({
      method: 'GET',
      url: `/v2/user-tasks/${key}`,
      headers: outsider,
    })
    assert.equal(get.statusCode, 403)
  })

  it('lets a task-user claim a task for itself only, then complete it', async () => {
    const key = await firstTaskKey()
    const forSomeoneElse = await server.app.inject({
      method: 'POST',
      url: `/v2/user-tasks/${key}/assignment`,
      headers: carol,
      payload: { assignee: 'rita' },
    })
    assert.equal(forSomeoneElse.statusCode, 403)
    const notYetAssigned = await server.app.inject({
      method: 'POST',
      url: `/v2/user-tasks/${key}/completion`,
      headers: carol,
    })
    assert.equal(notYetAssigned.statusCode, 403)
    const claim = await server.app.inject({
      method: 'POST',
      url: `/v2/user-tasks/${key}/assignment`,
      headers: carol,
      payload: { assignee: 'carol' },
    })
    assert.equal(claim.statusCode, 204)
    const steal = await server.app.inject({
      method: 'POST',
      url: `/v2/user-tasks/${key}/assignment`,
      headers: reviewer,
      payload: { assignee: 'rita' },
    })
    assert.equal(steal.statusCode, 409)
    const unassignOthers = await server.app.inject({
      method: 'DELETE',
      url: `/v2/user-tasks/${key}/assignee`,
      headers: reviewer,
    })
    assert.equal(unassignOthers.statusCode, 403)
    const complete = await server.app.inject({
      method: 'POST',
      url: `/v2/user-tasks/${key}/completion`,
      headers: carol,
      payload: { variables: { ok: true } },
    })
    assert.equal(complete.statusCode, 204)
  })

  it('stops admitting a revoked token', async () => {
    const token = await tokens.create('operator')
    const grant = await tokens.verify(token)
    await tokens.revoke(grant?.id as string)
    const response = await server.app.inject({
      method: 'GET',
      url: '/v2/topology',
      headers: bearer(token),
    })
    assert.equal(response.statusCode, 401)
  })
})
