import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { afterEach, beforeEach, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { Engine } from '../runtime/engine.ts'
import { openSqliteStore } from '../store/sqlite/sqlite-store.ts'
import type { Store } from '../store/store.ts'
import type { SubscriptionStore } from '../store/subscriptions.ts'
import { createServer } from './create-server.ts'
import type { TestServer } from './test-support.ts'
import { deploy, openTestServer } from './test-support.ts'
import { createMemoryTokenStore } from './tokens.ts'

const waitForPaymentBpmn = readFileSync(
  new URL('./fixtures/wait-for-payment.bpmn', import.meta.url),
  'utf8',
)

interface Answer {
  statusCode: number
  json<T = unknown>(): T
}

function post(
  app: FastifyInstance,
  url: string,
  payload: object,
  headers: Record<string, string> = {},
): Promise<Answer> {
  return app.inject({ method: 'POST', url, payload, headers })
}

function assertProblem(response: Answer, status: number, code: string): string {
  assert.equal(response.statusCode, status)
  const problem = response.json<{ code: string; detail: string }>()
  assert.equal(problem.code, code)
  return problem.detail
}

async function startWaiting(app: FastifyInstance, orderId: string): Promise<string> {
  const created = await post(app, '/v2/process-instances', {
    processDefinitionId: 'wait-for-payment',
    variables: { orderId },
  })
  assert.equal(created.statusCode, 200)
  return created.json<{ processInstanceKey: string }>().processInstanceKey
}

async function elementsOf(app: FastifyInstance, instanceKey: string): Promise<string[]> {
  const response = await post(app, '/v2/element-instances/search', {
    filter: { processInstanceKey: instanceKey, state: 'ACTIVE' },
  })
  return response.json<{ items: { elementId: string }[] }>().items.map((e) => e.elementId)
}

async function variablesOf(app: FastifyInstance, instanceKey: string): Promise<object> {
  const response = await post(app, '/v2/variables/search', {
    filter: { processInstanceKey: instanceKey, scopeKey: instanceKey },
  })
  const items = response.json<{ items: { name: string; value: string }[] }>().items
  return Object.fromEntries(items.map((v) => [v.name, JSON.parse(v.value) as unknown]))
}

describe('server/messages', () => {
  let server: TestServer
  beforeEach(async () => {
    server = await openTestServer()
    await deploy(server.app, [{ name: 'wait-for-payment.bpmn', content: waitForPaymentBpmn }])
  })
  afterEach(async () => server.close())

  it('publishes a message to the instance waiting for it, with its variables', async () => {
    const key = await startWaiting(server.app, 'o-1')
    assert.deepEqual(await elementsOf(server.app, key), ['PaymentReceived'])

    const response = await post(server.app, '/v2/messages/publication', {
      name: 'payment-received',
      correlationKey: 'o-1',
      variables: { paid: 42 },
    })

    assert.equal(response.statusCode, 200)
    const body = response.json<{ messageKey: string; tenantId: string }>()
    assert.match(body.messageKey, /^[0-9]+$/)
    assert.equal(body.tenantId, '<default>')
    assert.deepEqual(await elementsOf(server.app, key), ['Released'])
    assert.deepEqual(await variablesOf(server.app, key), { orderId: 'o-1', paid: 42 })
  })

  it('keeps a message with a timeToLive (an int64 string) for an instance that waits later', async () => {
    const published = await post(server.app, '/v2/messages/publication', {
      name: 'payment-received',
      correlationKey: 'o-2',
      timeToLive: '60000',
    })
    assert.equal(published.statusCode, 200)

    const key = await startWaiting(server.app, 'o-2')

    assert.deepEqual(await elementsOf(server.app, key), ['Released'])
  })

  it('does not keep a message without a timeToLive', async () => {
    await post(server.app, '/v2/messages/publication', {
      name: 'payment-received',
      correlationKey: 'o-3',
    })

    const key = await startWaiting(server.app, 'o-3')

    assert.deepEqual(await elementsOf(server.app, key), ['PaymentReceived'])
  })

  it('refuses a messageId that is still kept with 409', async () => {
    const message = {
      name: 'payment-received',
      correlationKey: 'o-4',
      timeToLive: 60_000,
      messageId: 'payment-o-4',
    }
    assert.equal((await post(server.app, '/v2/messages/publication', message)).statusCode, 200)

    const again = await post(server.app, '/v2/messages/publication', message)

    assert.match(assertProblem(again, 409, 'BATON_MESSAGE_DUPLICATE'), /payment-o-4/)
  })

  it('correlates a message to the waiting instance', async () => {
    const key = await startWaiting(server.app, 'o-5')

    const response = await post(server.app, '/v2/messages/correlation', {
      name: 'payment-received',
      correlationKey: 'o-5',
      variables: { paid: 7 },
    })

    assert.equal(response.statusCode, 200)
    assert.match(response.json<{ messageKey: string }>().messageKey, /^[0-9]+$/)
    assert.deepEqual(await elementsOf(server.app, key), ['Released'])
    assert.deepEqual(await variablesOf(server.app, key), { orderId: 'o-5', paid: 7 })
  })

  it('answers a correlation nothing waits for with 404, and does not keep the message', async () => {
    const response = await post(server.app, '/v2/messages/correlation', {
      name: 'payment-received',
      correlationKey: 'o-6',
    })

    const detail = assertProblem(response, 404, 'BATON_SUBSCRIPTION_NOT_FOUND')
    assert.match(detail, /payment-received/)
    assert.match(detail, /o-6/)
    const key = await startWaiting(server.app, 'o-6')
    assert.deepEqual(await elementsOf(server.app, key), ['PaymentReceived'])
  })

  it('answers a message without a name with 400 naming body.name', async () => {
    const response = await post(server.app, '/v2/messages/publication', { correlationKey: 'x' })

    assertProblem(response, 400, 'BATON_REQUEST_INVALID')
    assert.equal(response.json<{ errors: { field: string }[] }>().errors[0]?.field, 'body.name')
  })

  it('answers a negative timeToLive with 400', async () => {
    const response = await post(server.app, '/v2/messages/publication', {
      name: 'payment-received',
      timeToLive: '-5',
    })

    assertProblem(response, 400, 'BATON_REQUEST_INVALID')
  })
})

// A process started by a message, waiting at a user task until it is completed.
const orderPlacedBpmn = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="Definitions_placed" targetNamespace="https://baton.dev/test">
  <bpmn:message id="Msg_placed" name="order-placed" />
  <bpmn:process id="handle-order" isExecutable="true">
    <bpmn:startEvent id="Placed"><bpmn:messageEventDefinition messageRef="Msg_placed" /></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="Placed" targetRef="Handle" />
    <bpmn:userTask id="Handle"><bpmn:extensionElements><zeebe:userTask /></bpmn:extensionElements></bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="Handle" targetRef="End" />
    <bpmn:endEvent id="End" />
  </bpmn:process>
</bpmn:definitions>`

describe('server/messages and message start events', () => {
  let server: TestServer
  beforeEach(async () => {
    server = await openTestServer()
    await deploy(server.app, [{ name: 'handle-order.bpmn', content: orderPlacedBpmn }])
  })
  afterEach(async () => server.close())

  async function activeInstances(): Promise<{ processInstanceKey: string }[]> {
    const response = await post(server.app, '/v2/process-instances/search', {
      filter: { processDefinitionId: 'handle-order', state: 'ACTIVE' },
    })
    return response.json<{ items: { processInstanceKey: string }[] }>().items
  }

  it('starts no second instance for a correlation key while the first is active, and keeps the message for later', async () => {
    const message = { name: 'order-placed', correlationKey: 'o-1', timeToLive: '60000' }
    assert.equal((await post(server.app, '/v2/messages/publication', message)).statusCode, 200)
    const [first] = await activeInstances()

    const again = await post(server.app, '/v2/messages/publication', message)

    assert.equal(again.statusCode, 200)
    assert.deepEqual(await activeInstances(), [first])
    const cancelled = await server.app.inject({
      method: 'POST',
      url: `/v2/process-instances/${first?.processInstanceKey}/cancellation`,
    })
    assert.ok(cancelled.statusCode < 300, `cancelled: ${cancelled.statusCode}`)
    const [next, ...others] = await activeInstances()
    assert.ok(next, 'the kept message started the next instance')
    assert.notEqual(next.processInstanceKey, first?.processInstanceKey)
    assert.deepEqual(others, [])
  })

  it('answers a correlation for a key whose instance is still active with 404 saying why', async () => {
    const message = { name: 'order-placed', correlationKey: 'o-2' }
    assert.equal((await post(server.app, '/v2/messages/correlation', message)).statusCode, 200)

    const again = await post(server.app, '/v2/messages/correlation', message)

    const detail = assertProblem(again, 404, 'BATON_SUBSCRIPTION_NOT_FOUND')
    assert.match(detail, /'handle-order'/)
    assert.match(detail, /still active/)
    assert.equal((await activeInstances()).length, 1)
  })
})

describe('server/signals', () => {
  let server: TestServer
  beforeEach(async () => {
    server = await openTestServer()
    await deploy(server.app, [{ name: 'wait-for-payment.bpmn', content: waitForPaymentBpmn }])
  })
  afterEach(async () => server.close())

  it('broadcasts a signal to every waiting instance', async () => {
    const first = await startWaiting(server.app, 's-1')
    const second = await startWaiting(server.app, 's-2')
    for (const orderId of ['s-1', 's-2']) {
      await post(server.app, '/v2/messages/publication', {
        name: 'payment-received',
        correlationKey: orderId,
      })
    }

    const response = await post(server.app, '/v2/signals/broadcast', {
      signalName: 'release',
      variables: { releasedBy: 'ops' },
    })

    assert.equal(response.statusCode, 200)
    const body = response.json<{ signalKey: string; tenantId: string }>()
    assert.equal(body.tenantId, '<default>')
    assert.match(body.signalKey, /^[0-9]+$/)
    for (const key of [first, second]) {
      const instance = await server.app.inject({
        method: 'GET',
        url: `/v2/process-instances/${key}`,
      })
      assert.equal(instance.json<{ state: string }>().state, 'COMPLETED')
    }
  })

  it('answers a signal nothing waits for with 200', async () => {
    const response = await post(server.app, '/v2/signals/broadcast', { signalName: 'nobody' })

    assert.equal(response.statusCode, 200)
  })

  it('answers a signal without a name with 400 naming body.signalName', async () => {
    const response = await post(server.app, '/v2/signals/broadcast', { variables: {} })

    assertProblem(response, 400, 'BATON_REQUEST_INVALID')
    assert.equal(
      response.json<{ errors: { field: string }[] }>().errors[0]?.field,
      'body.signalName',
    )
  })
})

describe('server/messages access', () => {
  let server: TestServer
  const headers: Record<string, Record<string, string>> = {}
  beforeEach(async () => {
    const tokens = createMemoryTokenStore()
    server = await openTestServer({ auth: { mode: 'tokens', tokens } })
    for (const role of ['admin', 'operator', 'worker'] as const) {
      headers[role] = { authorization: `Bearer ${await tokens.create(role)}` }
    }
    headers['task-user'] = {
      authorization: `Bearer ${await tokens.create('task-user', { user: 'carol' })}`,
    }
  })
  afterEach(async () => server.close())

  const routes = [
    ['/v2/messages/publication', { name: 'm' }, 200],
    ['/v2/messages/correlation', { name: 'm' }, 404],
    ['/v2/signals/broadcast', { signalName: 's' }, 200],
    ['/v2/conditionals/evaluation', { variables: {} }, 200],
  ] as const

  for (const [url, payload, status] of routes) {
    it(`lets operators and admins call ${url}, not workers or task-users`, async () => {
      assert.equal((await post(server.app, url, payload, headers['admin'])).statusCode, status)
      assert.equal((await post(server.app, url, payload, headers['operator'])).statusCode, status)
      assertProblem(
        await post(server.app, url, payload, headers['worker']),
        403,
        'BATON_AUTH_FORBIDDEN',
      )
      assertProblem(
        await post(server.app, url, payload, headers['task-user']),
        403,
        'BATON_AUTH_FORBIDDEN',
      )
      assertProblem(await post(server.app, url, payload), 401, 'BATON_AUTH_REQUIRED')
    })
  }
})

/** A SQLite store that hides its subscription methods, like a store that has none yet. */
function withoutSubscriptions(store: Store): Store {
  const hidden = new Set<PropertyKey>([
    'dueTimers',
    'nextTimerDueAt',
    'messageSubscriptions',
    'messageStartSubscriptions',
    'signalSubscriptions',
    'startSubscriptionsOf',
    'bufferedMessages',
    'bufferedMessageById',
    'deleteExpiredMessages',
  ] satisfies (keyof SubscriptionStore)[])
  return new Proxy(store, {
    get(target, property) {
      if (hidden.has(property)) return undefined
      const value: unknown = Reflect.get(target, property, target)
      return typeof value === 'function'
        ? (value as (...a: unknown[]) => unknown).bind(target)
        : value
    },
  })
}

describe('server/messages on a store without event subscriptions', () => {
  let engine: Engine
  let app: FastifyInstance
  beforeEach(async () => {
    const store = await openSqliteStore({ path: ':memory:', durable: false })
    engine = await Engine.open({ store: withoutSubscriptions(store) })
    app = await createServer({ engine, auth: { mode: 'none' } })
  })
  afterEach(async () => {
    await app.close()
    await engine.close()
  })

  for (const [url, payload] of [
    ['/v2/messages/publication', { name: 'm' }],
    ['/v2/messages/correlation', { name: 'm' }],
    ['/v2/signals/broadcast', { signalName: 's' }],
  ] as const) {
    it(`answers ${url} with 501`, async () => {
      assertProblem(await post(app, url, payload), 501, 'BATON_SERVICE_UNSUPPORTED')
    })
  }
})
