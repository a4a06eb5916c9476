import assert from 'node:assert/strict'
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import Fastify from 'fastify'
import { Engine } from '../runtime/engine.ts'
import type { ServerContext } from './context.ts'
import { deploy, openTestServer } from './test-support.ts'
import type { TestServer } from './test-support.ts'
import { createMemoryTokenStore } from './tokens.ts'
import type { TokenStore } from './tokens.ts'
import { registerWebApp } from './web-app.ts'

const approvalBpmn = new URL('../../test/web/fixtures/approval.bpmn', import.meta.url)
const brokenBpmn = new URL('../../test/web/fixtures/broken.bpmn', import.meta.url)

describe('server/web-app', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'baton-web-app-'))
    mkdirSync(join(dir, 'assets'))
    writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="root"></div>')
    writeFileSync(join(dir, 'assets', 'index-abc.js'), 'console.log(1)')
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  async function app(): Promise<ReturnType<typeof Fastify>> {
    const engine = await Engine.open({ path: ':memory:', durable: false })
    const server = Fastify()
    server.addHook('onClose', () => engine.close())
    registerWebApp(server, { engine } as unknown as ServerContext, { mode: 'none' }, dir)
    return server
  }

  it("serves the app's files, and index.html for the app's own paths", async () => {
    const server = await app()
    const asset = await server.inject({ method: 'GET', url: '/assets/index-abc.js' })
    assert.equal(asset.statusCode, 200)
    assert.match(String(asset.headers['content-type']), /javascript/)
    assert.match(String(asset.headers['cache-control']), /immutable/)
    for (const url of ['/', '/tasks/12?filter=mine', '/instances/2251799813685250']) {
      const page = await server.inject({ method: 'GET', url })
      assert.equal(page.statusCode, 200, url)
      assert.match(page.body, /<div id="root">/)
      assert.equal(page.headers['cache-control'], 'no-cache')
    }
    const missing = await server.inject({ method: 'GET', url: '/assets/gone.js' })
    assert.equal(missing.statusCode, 404)
    const escape = await server.inject({ method: 'GET', url: '/..%2f..%2fetc%2fpasswd' })
    assert.doesNotMatch(escape.body, /root:/)
    await server.close()
  })
})

describe('server/web-support', () => {
  let server: TestServer
  let tokens: TokenStore
  let admin: Record<string, string>
  beforeEach(async () => {
    tokens = createMemoryTokenStore()
    server = await openTestServer({ auth: { mode: 'tokens', tokens } })
    admin = { authorization: `Bearer ${await tokens.create('admin')}` }
  })
  afterEach(() => server.close())

  it('keeps unknown API paths as problems: 401 without a token, 404 with one', async () => {
    const anonymous = await server.app.inject({ method: 'GET', url: '/baton/nothing' })
    assert.equal(anonymous.statusCode, 401)
    const known = await server.app.inject({ method: 'GET', url: '/baton/nothing', headers: admin })
    assert.equal(known.statusCode, 404)
    assert.equal(known.json<{ code: string }>().code, 'BATON_ROUTE_NOT_FOUND')
    assert.match(String(known.headers['content-type']), /problem\+json/)
  })

  it("says who the caller is, for each role's token", async () => {
    const clerk = await tokens.create('task-user', { user: 'ada', groups: ['approvers'] })
    const response = await server.app.inject({
      method: 'GET',
      url: '/baton/whoami',
      headers: { authorization: `Bearer ${clerk}` },
    })
    assert.deepEqual(response.json(), { role: 'task-user', user: 'ada', groups: ['approvers'] })
    const asAdmin = await server.app.inject({ method: 'GET', url: '/baton/whoami', headers: admin })
    assert.deepEqual(asAdmin.json(), { role: 'admin', groups: [] })
  })

  it("answers a user task's embedded form with the variables it sees, and the start form", async () => {
    const { readFile } = await import('node:fs/promises')
    const deployed = await deploy(
      server.app,
      [{ name: 'approval.bpmn', content: await readFile(approvalBpmn, 'utf8') }],
      admin,
    )
    const definitionKey = deployed.deployments[0]?.processDefinition.processDefinitionKey ?? ''
    const start = await server.app.inject({
      method: 'GET',
      url: `/baton/process-definitions/${definitionKey}/start-form`,
      headers: admin,
    })
    assert.equal(start.json<{ schema: { id: string } }>().schema.id, 'expense-request')

    await server.engine.createInstance('approval', { variables: { amount: 5, requester: 'Grace' } })
    const [task] = await server.engine.userTasks({ status: 'created' })
    assert.ok(task)
    const clerk = await tokens.create('task-user', { user: 'ada', groups: ['approvers'] })
    const form = await server.app.inject({
      method: 'GET',
      url: `/baton/user-tasks/${task.key}/form`,
      headers: { authorization: `Bearer ${clerk}` },
    })
    assert.equal(form.statusCode, 200)
    const body = form.json<{ formKey: string; schema: { id: string }; variables: object }>()
    assert.equal(body.formKey, 'camunda-forms:bpmn:ApproveForm')
    assert.equal(body.schema.id, 'expense-approval')
    assert.deepEqual(body.variables, { amount: 5, requester: 'Grace' })

    const stranger = await tokens.create('task-user', { user: 'bob', groups: ['sales'] })
    const refused = await server.app.inject({
      method: 'GET',
      url: `/baton/user-tasks/${task.key}/form`,
      headers: { authorization: `Bearer ${stranger}` },
    })
    assert.equal(refused.statusCode, 403)
  })

  it('checks a model without deploying it, naming the offending element', async () => {
    const { readFile } = await import('node:fs/promises')
    const response = await server.app.inject({
      method: 'POST',
      url: '/baton/validations',
      headers: admin,
      payload: { xml: await readFile(brokenBpmn, 'utf8') },
    })
    const { errors } = response.json<{ errors: { elementId: string; rule: string }[] }>()
    assert.equal(errors[0]?.elementId, 'Charge')
    assert.equal(errors[0]?.rule, 'task-definition-required')
    assert.equal(server.engine.processDefinitions().length, 0)
  })

  it('sets variables on an instance scope, and refuses bad bodies with a problem', async () => {
    const { readFile } = await import('node:fs/promises')
    await deploy(
      server.app,
      [{ name: 'approval.bpmn', content: await readFile(approvalBpmn, 'utf8') }],
      admin,
    )
    const { instanceKey } = await server.engine.createInstance('approval', {
      variables: { amount: 5 },
    })
    const set = await server.app.inject({
      method: 'PUT',
      url: `/baton/process-instances/${instanceKey}/variables`,
      headers: admin,
      payload: { variables: { amount: 7, note: { nested: true } } },
    })
    assert.equal(set.statusCode, 204)
    const record = await server.engine.getInstance(instanceKey)
    assert.deepEqual(record?.state.variables[instanceKey], { amount: 7, note: { nested: true } })
    const bad = await server.app.inject({
      method: 'PUT',
      url: `/baton/process-instances/${instanceKey}/variables`,
      headers: admin,
      payload: { variables: 'x' },
    })
    assert.equal(bad.statusCode, 400)
    const missing = await server.app.inject({
      method: 'PUT',
      url: '/baton/process-instances/999/variables',
      headers: admin,
      payload: { variables: {} },
    })
    assert.equal(missing.json<{ code: string }>().code, 'BATON_INSTANCE_NOT_FOUND')
  })
})
