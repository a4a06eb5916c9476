import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, it } from 'node:test'
import type { TestServer } from './test-support.ts'
import {
  deploy,
  multipart,
  openTestServer,
  referenceBpmn,
  reviewAndPayBpmn,
  sketchBpmn,
} from './test-support.ts'

interface ProblemBody {
  type: string
  title: string
  status: number
  detail: string
  instance: string
  code: string
  errors?: { field: string; message: string }[]
}

interface JsonContent {
  readonly content?: Record<string, { schema?: { properties?: Record<string, unknown> } }>
}

function assertProblem(
  response: { statusCode: number; headers: Record<string, unknown>; json(): unknown },
  status: number,
  code: string,
): ProblemBody {
  assert.equal(response.statusCode, status)
  assert.match(String(response.headers['content-type']), /^application\/problem\+json/)
  const body = response.json() as ProblemBody
  assert.equal(body.status, status)
  assert.equal(body.code, code)
  assert.equal(body.type, `urn:baton:error:${code}`)
  assert.ok(body.title.length > 0)
  assert.ok(body.detail.length > 0)
  return body
}

describe('server/errors', () => {
  let server: TestServer
  beforeEach(async () => {
    server = await openTestServer({ server: { bodyLimit: 64 * 1024 } })
  })
  afterEach(() => server.close())

  it('answers an unknown route with a 404 problem', async () => {
    const response = await server.app.inject({ method: 'GET', url: '/v2/nothing-here?x=1' })
    const problem = assertProblem(response, 404, 'BATON_ROUTE_NOT_FOUND')
    assert.equal(problem.instance, '/v2/nothing-here')
  })

  it('answers malformed JSON with 400 BATON_REQUEST_MALFORMED', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/v2/process-instances',
      headers: { 'content-type': 'application/json' },
      payload: '{"processDefinitionId": "reference",',
    })
    const problem = assertProblem(response, 400, 'BATON_REQUEST_MALFORMED')
    assert.match(problem.detail, /not valid JSON/)
  })

  it('refuses __proto__ members in JSON bodies', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/v2/process-instances',
      headers: { 'content-type': 'application/json' },
      payload: '{"processDefinitionId":"x","variables":{"__proto__":{"admin":true}}}',
    })
    assertProblem(response, 400, 'BATON_REQUEST_MALFORMED')
  })

  it('names the field of a wrong type', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/v2/process-instances',
      payload: { processDefinitionId: 'reference', variables: [1, 2] },
    })
    const problem = assertProblem(response, 400, 'BATON_REQUEST_INVALID')
    assert.deepEqual(problem.errors, [{ field: 'body.variables', message: 'must be object' }])
    assert.match(problem.detail, /body\.variables must be object/)
  })

  it('names a missing required field and an unknown one', async () => {
    const missing = await server.app.inject({
      method: 'POST',
      url: '/v2/jobs/activation',
      payload: { timeout: 1000, maxJobsToActivate: 1 },
    })
    assert.equal(
      assertProblem(missing, 400, 'BATON_REQUEST_INVALID').errors?.[0]?.field,
      'body.type',
    )
    const unknown = await server.app.inject({
      method: 'POST',
      url: '/v2/process-instances',
      payload: { processDefinitionId: 'reference', colour: 'red' },
    })
    const problem = assertProblem(unknown, 400, 'BATON_REQUEST_INVALID')
    assert.deepEqual(problem.errors, [{ field: 'body.colour', message: 'is not a known field' }])
  })

  it('does not coerce types: a string where a number belongs is a 400', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/v2/jobs/activation',
      payload: { type: 'x', timeout: 1000, maxJobsToActivate: '1' },
    })
    const problem = assertProblem(response, 400, 'BATON_REQUEST_INVALID')
    assert.equal(problem.errors?.[0]?.field, 'body.maxJobsToActivate')
  })

  it('takes an int64 as a decimal string, as Camunda clients send it', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/v2/jobs/activation',
      payload: { type: 'x', timeout: '1000', maxJobsToActivate: 1, requestTimeout: '-1' },
    })
    assert.equal(response.statusCode, 200)
    assert.deepEqual(response.json(), { jobs: [] })
  })

  it('answers an int64 string that is no integer with 400 naming the field', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/v2/jobs/activation',
      payload: { type: 'x', timeout: '10s', maxJobsToActivate: 1 },
    })
    const problem = assertProblem(response, 400, 'BATON_REQUEST_INVALID')
    assert.equal(problem.errors?.[0]?.field, 'body.timeout')
  })

  it('answers a key that is no key with 400 naming params.key', async () => {
    const response = await server.app.inject({ method: 'GET', url: '/v2/process-instances/abc' })
    const problem = assertProblem(response, 400, 'BATON_REQUEST_INVALID')
    assert.equal(problem.errors?.[0]?.field, 'params.key')
  })

  it('answers a body over the limit with 413', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/v2/process-instances',
      payload: { processDefinitionId: 'reference', variables: { blob: 'x'.repeat(100 * 1024) } },
    })
    assertProblem(response, 413, 'BATON_REQUEST_TOO_LARGE')
  })

  it('answers an unsupported content type with 415', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/v2/process-instances',
      headers: { 'content-type': 'text/csv' },
      payload: 'a,b',
    })
    assertProblem(response, 415, 'BATON_REQUEST_MEDIA_TYPE')
  })

  it('keeps serving after bad requests', async () => {
    for (let i = 0; i < 20; i++) {
      await server.app.inject({
        method: 'POST',
        url: '/v2/process-instances',
        headers: { 'content-type': 'application/json' },
        payload: '{'.repeat(i),
      })
    }
    const response = await server.app.inject({ method: 'GET', url: '/health' })
    assert.equal(response.statusCode, 200)
  })
})

describe('server/overload', () => {
  it('answers BATON_ENGINE_OVERLOADED with 503 and Retry-After', async () => {
    const server = await openTestServer({ engine: { maxQueue: 0 } })
    try {
      await deploy(server.app, [{ name: 'reference.bpmn', content: referenceBpmn }])
      const response = await server.app.inject({
        method: 'POST',
        url: '/v2/process-instances',
        payload: { processDefinitionId: 'reference' },
      })
      assertProblem(response, 503, 'BATON_ENGINE_OVERLOADED')
      assert.equal(response.headers['retry-after'], '1')
    } finally {
      await server.close()
    }
  })
})

describe('server/deployments', () => {
  let server: TestServer
  beforeEach(async () => {
    server = await openTestServer({ server: { maxResourceBytes: 256 * 1024 } })
  })
  afterEach(() => server.close())

  it('deploys BPMN files and lists their processes', async () => {
    const body = multipart(
      [
        { name: 'reference.bpmn', content: referenceBpmn },
        { name: 'review-and-pay.bpmn', content: reviewAndPayBpmn },
      ],
      { tenantId: '<default>' },
    )
    const response = await server.app.inject({
      method: 'POST',
      url: '/v2/deployments',
      headers: body.headers,
      payload: body.payload,
    })
    assert.equal(response.statusCode, 200)
    const result = response.json<{
      deploymentKey: string
      tenantId: string
      deployments: { processDefinition: Record<string, unknown> }[]
    }>()
    assert.equal(result.tenantId, '<default>')
    assert.match(result.deploymentKey, /^\d+$/)
    const processes = result.deployments.map((d) => d.processDefinition)
    assert.deepEqual(
      processes.map((p) => [
        p['processDefinitionId'],
        p['processDefinitionVersion'],
        p['resourceName'],
        p['tenantId'],
      ]),
      [
        ['reference', 1, 'reference.bpmn', '<default>'],
        ['review-and-pay', 1, 'review-and-pay.bpmn', '<default>'],
      ],
    )
    assert.match(String(processes[0]?.['processDefinitionKey']), /^\d+$/)
  })

  it('deploying the same content again keeps the version', async () => {
    const first = await deploy(server.app, [{ name: 'reference.bpmn', content: referenceBpmn }])
    const again = await deploy(server.app, [{ name: 'reference.bpmn', content: referenceBpmn }])
    assert.deepEqual(again.deployments, first.deployments)
  })

  it('answers the warnings of a descriptive diagram with the deployment, none for an executable one', async () => {
    // given a descriptive diagram deployed with an executable model
    const files = [
      { name: 'reference.bpmn', content: referenceBpmn },
      { name: 'sketch.bpmn', content: sketchBpmn },
    ]

    // when
    const result = await deploy(server.app, files)

    // then both deploy, and the warnings name the diagram's file, elements, lines and rules
    assert.deepEqual(
      result.deployments.map((d) => d.processDefinition.processDefinitionId),
      ['reference', 'sketch'],
    )
    assert.deepEqual(
      result.warnings.map((w) => [w.resourceName, w.elementId, w.line, w.rule]),
      [
        ['sketch.bpmn', 'sketch', 5, 'process-not-executable'],
        ['sketch.bpmn', 'Notes', 13, 'flow-node-unreachable'],
      ],
    )
    // and the executable model alone has none
    const alone = await deploy(server.app, [{ name: 'reference.bpmn', content: referenceBpmn }])
    assert.deepEqual(alone.warnings, [])
  })

  it('rejects an invalid model with 400 BATON_MODEL_INVALID and its problems', async () => {
    const body = multipart([{ name: 'broken.bpmn', content: '<bpmn:definitions' }])
    const response = await server.app.inject({
      method: 'POST',
      url: '/v2/deployments',
      headers: body.headers,
      payload: body.payload,
    })
    const problem = assertProblem(response, 400, 'BATON_MODEL_INVALID')
    assert.match(problem.detail, /broken\.bpmn/)
  })

  it('rejects a deployment without files with 400 BATON_DEPLOY_EMPTY', async () => {
    const body = multipart([], { tenantId: '<default>' })
    const response = await server.app.inject({
      method: 'POST',
      url: '/v2/deployments',
      headers: body.headers,
      payload: body.payload,
    })
    assertProblem(response, 400, 'BATON_DEPLOY_EMPTY')
  })

  it('rejects a JSON body with 415', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/v2/deployments',
      payload: { resources: [] },
    })
    assertProblem(response, 415, 'BATON_REQUEST_MEDIA_TYPE')
  })

  it('rejects a file over the size limit with 413', async () => {
    const body = multipart([{ name: 'huge.bpmn', content: 'x'.repeat(300 * 1024) }])
    const response = await server.app.inject({
      method: 'POST',
      url: '/v2/deployments',
      headers: body.headers,
      payload: body.payload,
    })
    assertProblem(response, 413, 'BATON_REQUEST_TOO_LARGE')
  })

  it('rejects another tenant', async () => {
    const body = multipart([{ name: 'reference.bpmn', content: referenceBpmn }], {
      tenantId: 'acme',
    })
    const response = await server.app.inject({
      method: 'POST',
      url: '/v2/deployments',
      headers: body.headers,
      payload: body.payload,
    })
    assert.match(assertProblem(response, 400, 'BATON_REQUEST_INVALID').detail, /tenantId/)
  })
})

describe('server/process-instances', () => {
  let server: TestServer
  let definitionKey: string
  beforeEach(async () => {
    server = await openTestServer()
    const deployed = await deploy(server.app, [{ name: 'reference.bpmn', content: referenceBpmn }])
    definitionKey = deployed.deployments[0]?.processDefinition.processDefinitionKey as string
  })
  afterEach(() => server.close())

  async function start(payload: object): Promise<Record<string, unknown>> {
    const response = await server.app.inject({
      method: 'POST',
      url: '/v2/process-instances',
      payload,
    })
    assert.equal(response.statusCode, 200, response.body)
    return response.json()
  }

  it('starts an instance by process id and reads it back', async () => {
    const created = await start({ processDefinitionId: 'reference', variables: { amount: 7 } })
    assert.equal(created['processDefinitionId'], 'reference')
    assert.equal(created['processDefinitionVersion'], 1)
    assert.equal(created['processDefinitionKey'], definitionKey)
    assert.equal(created['tenantId'], '<default>')
    const key = created['processInstanceKey'] as string
    assert.match(key, /^\d+$/)
    const response = await server.app.inject({ method: 'GET', url: `/v2/process-instances/${key}` })
    assert.equal(response.statusCode, 200)
    const instance = response.json<Record<string, unknown>>()
    assert.equal(instance['state'], 'ACTIVE')
    assert.equal(instance['processInstanceKey'], key)
    assert.equal(instance['hasIncident'], false)
    assert.equal('endDate' in instance, false, 'a running instance has no endDate field')
    assert.equal(instance['processDefinitionName'], 'Reference (benchmark)')
  })

  it('starts an instance by definition key', async () => {
    const created = await start({ processDefinitionKey: definitionKey })
    assert.equal(created['processDefinitionId'], 'reference')
  })

  it('answers 404 for an unknown process, version or definition key', async () => {
    for (const payload of [
      { processDefinitionId: 'no-such-process' },
      { processDefinitionId: 'reference', processDefinitionVersion: 9 },
      { processDefinitionKey: '123' },
    ]) {
      const response = await server.app.inject({
        method: 'POST',
        url: '/v2/process-instances',
        payload,
      })
      assertProblem(response, 404, 'BATON_PROCESS_NOT_FOUND')
    }
  })

  it('needs exactly one of processDefinitionId and processDefinitionKey', async () => {
    for (const payload of [{}, { processDefinitionId: 'reference', processDefinitionKey: '1' }]) {
      const response = await server.app.inject({
        method: 'POST',
        url: '/v2/process-instances',
        payload,
      })
      assertProblem(response, 400, 'BATON_REQUEST_INVALID')
    }
  })

  it('with awaitCompletion answers once the instance ended, with its variables', async () => {
    for (const type of ['validate', 'charge', 'reserve']) {
      server.engine.worker(type, () => (type === 'validate' ? { valid: true } : { [type]: 'ok' }))
    }
    const created = await start({
      processDefinitionId: 'reference',
      variables: { amount: 3 },
      awaitCompletion: true,
      fetchVariables: ['valid', 'charge', 'amount'],
    })
    assert.equal(created['state'], 'COMPLETED')
    assert.deepEqual(created['variables'], { valid: true, charge: 'ok', amount: 3 })
  })

  it('with awaitCompletion gives up after requestTimeout with 504', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/v2/process-instances',
      payload: { processDefinitionId: 'reference', awaitCompletion: true, requestTimeout: 20 },
    })
    assertProblem(response, 504, 'BATON_REQUEST_TIMEOUT')
  })

  it('searches instances with filters and keyset paging', async () => {
    const keys: string[] = []
    for (let i = 0; i < 5; i++)
      keys.push((await start({ processDefinitionId: 'reference' }))['processInstanceKey'] as string)
    const seen: string[] = []
    let after: string | undefined
    for (let pages = 0; pages < 5; pages++) {
      const response = await server.app.inject({
        method: 'POST',
        url: '/v2/process-instances/search',
        payload: {
          filter: { processDefinitionId: 'reference', state: 'ACTIVE' },
          sort: [{ field: 'processInstanceKey', order: 'ASC' }],
          page: { limit: 2, ...(after === undefined ? {} : { after }) },
        },
      })
      assert.equal(response.statusCode, 200, response.body)
      const result = response.json<{
        items: { processInstanceKey: string }[]
        page: { totalItems?: number; endCursor?: string }
      }>()
      assert.equal(result.page.totalItems, 5)
      seen.push(...result.items.map((i) => i.processInstanceKey))
      after = result.page.endCursor
      if (after === undefined) break
    }
    assert.deepEqual(seen, keys)
    const completed = await server.app.inject({
      method: 'POST',
      url: '/v2/process-instances/search',
      payload: { filter: { state: 'COMPLETED' } },
    })
    assert.deepEqual(completed.json(), { items: [], page: { totalItems: 0 } })
  })

  it('refuses a sort it cannot honour', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/v2/process-instances/search',
      payload: { sort: [{ field: 'processInstanceKey', order: 'DESC' }] },
    })
    assertProblem(response, 400, 'BATON_REQUEST_INVALID')
  })

  it('cancels an instance; cancelling it again is a 409', async () => {
    const key = (await start({ processDefinitionId: 'reference' }))['processInstanceKey'] as string
    const cancel = await server.app.inject({
      method: 'POST',
      url: `/v2/process-instances/${key}/cancellation`,
    })
    assert.equal(cancel.statusCode, 204)
    const instance = await server.app.inject({ method: 'GET', url: `/v2/process-instances/${key}` })
    assert.equal(instance.json<{ state: string }>().state, 'TERMINATED')
    const again = await server.app.inject({
      method: 'POST',
      url: `/v2/process-instances/${key}/cancellation`,
      payload: {},
    })
    assert.equal(again.statusCode, 409)
    assert.equal(again.json<{ code: string }>().code, 'BATON_INSTANCE_NOT_ACTIVE')
  })

  it('answers 404 for an unknown instance', async () => {
    const get = await server.app.inject({ method: 'GET', url: '/v2/process-instances/42' })
    assertProblem(get, 404, 'BATON_INSTANCE_NOT_FOUND')
    const cancel = await server.app.inject({
      method: 'POST',
      url: '/v2/process-instances/42/cancellation',
    })
    assertProblem(cancel, 404, 'BATON_INSTANCE_NOT_FOUND')
  })

  it("lists an instance's variables and element instances", async () => {
    const key = (await start({ processDefinitionId: 'reference', variables: { b: 2, a: 'x' } }))[
      'processInstanceKey'
    ] as string
    const variables = await server.app.inject({
      method: 'POST',
      url: '/v2/variables/search',
      payload: { filter: { processInstanceKey: key } },
    })
    assert.equal(variables.statusCode, 200, variables.body)
    const found = variables.json<{ items: { name: string; value: string; scopeKey: string }[] }>()
    assert.deepEqual(
      found.items.map((v) => [v.name, v.value, v.scopeKey]),
      [
        ['a', '"x"', key],
        ['b', '2', key],
      ],
    )
    const paged = await server.app.inject({
      method: 'POST',
      url: '/v2/variables/search',
      payload: { filter: { processInstanceKey: key }, page: { limit: 1 } },
    })
    const first = paged.json<{ items: { name: string }[]; page: { endCursor?: string } }>()
    assert.deepEqual(
      first.items.map((v) => v.name),
      ['a'],
    )
    const next = await server.app.inject({
      method: 'POST',
      url: '/v2/variables/search',
      payload: {
        filter: { processInstanceKey: key },
        page: { limit: 1, after: first.page.endCursor },
      },
    })
    assert.deepEqual(
      next.json<{ items: { name: string }[] }>().items.map((v) => v.name),
      ['b'],
    )

    const elements = await server.app.inject({
      method: 'POST',
      url: '/v2/element-instances/search',
      payload: { filter: { processInstanceKey: key } },
    })
    assert.equal(elements.statusCode, 200, elements.body)
    const items = elements.json<{
      items: { elementId: string; elementName: string; type: string; state: string }[]
    }>().items
    assert.deepEqual(
      items.map((e) => [e.elementId, e.elementName, e.type, e.state]),
      [
        ['Start', 'Order received', 'START_EVENT', 'COMPLETED'],
        ['Validate', 'Validate order', 'SERVICE_TASK', 'ACTIVE'],
      ],
    )
    const active = await server.app.inject({
      method: 'POST',
      url: '/v2/element-instances/search',
      payload: { filter: { processInstanceKey: key, state: 'ACTIVE' } },
    })
    assert.equal(active.json<{ items: unknown[] }>().items.length, 1)
  })

  it('needs processInstanceKey to search variables', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/v2/variables/search',
      payload: { filter: {} },
    })
    const problem = assertProblem(response, 400, 'BATON_REQUEST_INVALID')
    assert.equal(problem.errors?.[0]?.field, 'body.filter.processInstanceKey')
  })
})

describe('server/baton routes', () => {
  let server: TestServer
  beforeEach(async () => {
    server = await openTestServer()
  })
  afterEach(() => server.close())

  it('serves the audit trail, the definitions and their XML', async () => {
    const deployed = await deploy(server.app, [{ name: 'reference.bpmn', content: referenceBpmn }])
    const definitionKey = deployed.deployments[0]?.processDefinition.processDefinitionKey as string
    const created = await server.app.inject({
      method: 'POST',
      url: '/v2/process-instances',
      payload: { processDefinitionId: 'reference' },
    })
    const key = created.json<{ processInstanceKey: string }>().processInstanceKey
    const history = await server.app.inject({
      method: 'GET',
      url: `/baton/process-instances/${key}/history`,
    })
    assert.equal(history.statusCode, 200)
    const events = history.json<{ items: { type: string; position: number }[] }>().items
    assert.equal(events[0]?.type, 'ProcessInstanceCreated')
    assert.deepEqual(
      events.map((e) => e.position),
      events.map((_, i) => i),
    )
    assert.ok(events.some((e) => e.type === 'JobCreated'))

    const definitions = await server.app.inject({
      method: 'GET',
      url: '/baton/process-definitions',
    })
    const items = definitions.json<{ items: Record<string, unknown>[] }>().items
    assert.equal(items.length, 1)
    assert.equal(items[0]?.['processDefinitionId'], 'reference')
    assert.equal(items[0]?.['name'], 'Reference (benchmark)')

    const xml = await server.app.inject({
      method: 'GET',
      url: `/baton/process-definitions/${definitionKey}/xml`,
    })
    assert.equal(xml.statusCode, 200)
    assert.match(String(xml.headers['content-type']), /^text\/xml/)
    assert.equal(xml.body, referenceBpmn)
  })

  it('answers 404 for an unknown definition or instance', async () => {
    assertProblem(
      await server.app.inject({ method: 'GET', url: '/baton/process-definitions/5/xml' }),
      404,
      'BATON_PROCESS_NOT_FOUND',
    )
    assertProblem(
      await server.app.inject({ method: 'GET', url: '/baton/process-instances/5/history' }),
      404,
      'BATON_INSTANCE_NOT_FOUND',
    )
  })
})

describe('server/operations', () => {
  let server: TestServer
  beforeEach(async () => {
    server = await openTestServer()
  })
  afterEach(() => server.close())

  it('reports health and the topology', async () => {
    const health = await server.app.inject({ method: 'GET', url: '/health' })
    assert.equal(health.json<{ status: string }>().status, 'ok')
    const topology = await server.app.inject({ method: 'GET', url: '/v2/topology' })
    const body = topology.json<{
      clusterSize: number
      partitionsCount: number
      brokers: { partitions: { role: string }[] }[]
    }>()
    assert.equal(body.clusterSize, 1)
    assert.equal(body.partitionsCount, 1)
    assert.equal(body.brokers[0]?.partitions[0]?.role, 'leader')
  })

  it('exposes Prometheus metrics: commands, batches, instances by status, uptime', async () => {
    await deploy(server.app, [{ name: 'reference.bpmn', content: referenceBpmn }])
    await server.app.inject({
      method: 'POST',
      url: '/v2/process-instances',
      payload: { processDefinitionId: 'reference' },
    })
    const response = await server.app.inject({ method: 'GET', url: '/metrics' })
    assert.equal(response.statusCode, 200)
    assert.match(String(response.headers['content-type']), /^text\/plain/)
    assert.match(response.body, /^baton_engine_commands_total 1$/m)
    assert.match(response.body, /^baton_engine_batches_total 1$/m)
    assert.match(response.body, /^baton_process_instances\{status="active"\} 1$/m)
    assert.match(response.body, /^baton_process_instances\{status="completed"\} 0$/m)
    assert.match(response.body, /^baton_process_definitions_not_loaded 0$/m)
    assert.match(response.body, /^process_uptime_seconds \d+(\.\d+)?$/m)
    assert.match(
      response.body,
      /^baton_http_requests_total\{method="POST",route="\/v2\/process-instances",status="200"\} 1$/m,
    )
  })

  it('describes every route in an OpenAPI document, and on /docs', async () => {
    const response = await server.app.inject({ method: 'GET', url: '/v2/openapi.json' })
    const document = response.json<{
      openapi: string
      paths: Record<
        string,
        Record<string, { requestBody?: unknown; responses: Record<string, JsonContent> }>
      >
    }>()
    assert.equal(document.openapi, '3.1.0')
    assert.ok(document.paths['/v2/jobs/activation']?.['post']?.requestBody)
    const deployments = document.paths['/v2/deployments']?.['post']
    assert.ok(deployments?.requestBody)
    const answer = deployments.responses['200']?.content?.['application/json']?.schema
    assert.deepEqual(Object.keys(answer?.properties ?? {}), [
      'deploymentKey',
      'tenantId',
      'deployments',
      'warnings',
    ])
    assert.ok(document.paths['/v2/user-tasks/{key}/assignee']?.['delete'])
    assert.ok(document.paths['/baton/process-instances/{key}/history']?.['get'])
    const docs = await server.app.inject({ method: 'GET', url: '/docs' })
    assert.equal(docs.statusCode, 200)
    assert.match(docs.body, /<title>Baton REST API<\/title>/)
  })
})
