import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, it } from 'node:test'
import type { FastifyInstance } from 'fastify'
import type { TestServer } from '../server/test-support.ts'
import { openTestServer, sketchBpmn } from '../server/test-support.ts'
import { createMemoryTokenStore } from '../server/tokens.ts'
import { createClient } from './client.ts'
import { BatonHttpError, isTransientError } from './http-error.ts'
import type { ActivatedJobWire } from './wire-types.ts'

const referenceXml = readFileSync(new URL('../../examples/reference.bpmn', import.meta.url), 'utf8')

/** A fetch that answers through `inject()`: client tests without a port. */
function injectFetch(app: FastifyInstance): typeof fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input))
    const headers: Record<string, string> = {}
    new Headers(init?.headers).forEach((value, name) => {
      headers[name] = value
    })
    const injected = app.inject({
      method: (init?.method ?? 'GET') as 'GET',
      url: `${url.pathname}${url.search}`,
      headers,
      ...(typeof init?.body === 'string' ? { payload: init.body } : {}),
    })
    const signal = init?.signal
    const aborted = new Promise<never>((_, reject) => {
      signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')))
    })
    const response = await Promise.race([injected, aborted])
    const responseHeaders = new Headers()
    for (const [name, value] of Object.entries(response.headers)) {
      if (value !== undefined) responseHeaders.set(name, String(value))
    }
    return new Response(response.statusCode === 204 ? null : response.rawPayload, {
      status: response.statusCode,
      headers: responseHeaders,
    })
  }
}

/** Resolves once `check` holds, looking again after each turn of the event loop (bounded). */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const started = Date.now()
  while (!(await check())) {
    if (Date.now() - started > 10_000) assert.fail(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

describe('client', () => {
  let server: TestServer
  beforeEach(async () => {
    server = await openTestServer()
    await server.engine.deploy({ name: 'reference.bpmn', xml: referenceXml })
  })
  afterEach(() => server.close())

  it('turns problem answers into BatonHttpError with the code', async () => {
    const client = createClient({ baseUrl: 'http://baton.test', fetch: injectFetch(server.app) })
    const error = await client.getProcessInstance('123').catch((e: unknown) => e)
    assert.ok(error instanceof BatonHttpError)
    assert.equal(error.status, 404)
    assert.equal(error.code, 'BATON_INSTANCE_NOT_FOUND')
    assert.equal(error.problem?.instance, '/v2/process-instances/123')
    assert.equal(isTransientError(error), false)
  })

  it('publishes and correlates messages and broadcasts signals', async () => {
    const client = createClient({ baseUrl: 'http://baton.test', fetch: injectFetch(server.app) })
    await server.engine.deploy({
      name: 'wait-for-payment.bpmn',
      xml: readFileSync(
        new URL('../server/fixtures/wait-for-payment.bpmn', import.meta.url),
        'utf8',
      ),
    })
    const { processInstanceKey } = await client.createProcessInstance({
      processDefinitionId: 'wait-for-payment',
      variables: { orderId: 'c-1' },
    })

    const missed = await client
      .correlateMessage({ name: 'payment-received', correlationKey: 'c-2' })
      .catch((e: unknown) => e)
    assert.ok(missed instanceof BatonHttpError)
    assert.equal(missed.code, 'BATON_SUBSCRIPTION_NOT_FOUND')
    const correlated = await client.correlateMessage({
      name: 'payment-received',
      correlationKey: 'c-1',
    })
    assert.match(correlated.messageKey, /^[0-9]+$/)
    const kept = await client.publishMessage({
      name: 'payment-received',
      correlationKey: 'c-3',
      timeToLive: 60_000,
      messageId: 'm-c-3',
    })
    assert.equal(kept.tenantId, '<default>')
    const duplicate = await client
      .publishMessage({ name: 'payment-received', timeToLive: 60_000, messageId: 'm-c-3' })
      .catch((e: unknown) => e)
    assert.ok(duplicate instanceof BatonHttpError)
    assert.equal(duplicate.status, 409)
    await client.broadcastSignal({ signalName: 'release' })

    assert.equal((await client.getProcessInstance(processInstanceKey)).state, 'COMPLETED')
  })

  it('a worker retries a job its handler failed, then completes it', async () => {
    const client = createClient({ baseUrl: 'http://baton.test', fetch: injectFetch(server.app) })
    const seen: number[] = []
    const validate = client.worker(
      'validate',
      (job) => {
        seen.push(job.retries)
        if (seen.length === 1) throw new Error('flaky downstream')
        return { valid: false }
      },
      { requestTimeoutMs: 2000, pollIntervalMs: 0 },
    )
    try {
      const created = await client.createProcessInstance({
        processDefinitionId: 'reference',
        awaitCompletion: true,
      })
      assert.equal(created.state, 'COMPLETED')
      assert.deepEqual(created.variables, { valid: false })
      assert.deepEqual(seen, [3, 2])
    } finally {
      await validate.close()
    }
  })

  it('a worker backs off over transient failures and goes on', async () => {
    const inner = injectFetch(server.app)
    let refusals = 2
    const flaky: typeof fetch = async (input, init) => {
      if (refusals > 0) {
        refusals--
        throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } })
      }
      return inner(input, init)
    }
    const client = createClient({ baseUrl: 'http://baton.test', fetch: flaky })
    const errors: unknown[] = []
    const validate = client.worker('validate', () => ({ valid: false }), {
      backoff: { initialMs: 1, maxMs: 5 },
      requestTimeoutMs: 2000,
      onError: (error) => errors.push(error),
    })
    try {
      const { instanceKey } = await server.engine.createInstance('reference')
      const ended = await server.engine.awaitInstance(instanceKey)
      assert.equal(ended.status, 'completed')
      assert.equal(errors.length, 2)
      assert.ok(errors.every(isTransientError))
    } finally {
      await validate.close()
    }
  })

  it('close() waits for running handlers and reports their outcome', async () => {
    const client = createClient({ baseUrl: 'http://baton.test', fetch: injectFetch(server.app) })
    let release: () => void = () => {}
    let started: () => void = () => {}
    const running = new Promise<void>((resolve) => {
      started = resolve
    })
    const validate = client.worker(
      'validate',
      async () => {
        started()
        await new Promise<void>((resolve) => {
          release = resolve
        })
        return { valid: false }
      },
      { requestTimeoutMs: 2000 },
    )
    const { instanceKey } = await server.engine.createInstance('reference')
    await running
    assert.equal(validate.activeJobs, 1)
    let closed = false
    const closing = validate.close().then(() => {
      closed = true
    })
    await new Promise((resolve) => setImmediate(resolve))
    assert.equal(closed, false, 'close waits for the running handler')
    release()
    await closing
    assert.equal(validate.activeJobs, 0)
    const instance = await server.engine.getInstance(instanceKey)
    assert.equal(instance?.status, 'completed')
  })

  it('limits the jobs a worker runs at once to maxJobsActive', async () => {
    const client = createClient({ baseUrl: 'http://baton.test', fetch: injectFetch(server.app) })
    let active = 0
    let most = 0
    const validate = client.worker(
      'validate',
      async () => {
        active++
        most = Math.max(most, active)
        await new Promise((resolve) => setTimeout(resolve, 5))
        active--
        return { valid: false }
      },
      { maxJobsActive: 2, requestTimeoutMs: 2000, pollIntervalMs: 0 },
    )
    try {
      // Started together, so six jobs wait at once and only the limit holds the worker back.
      const started = await Promise.all(
        Array.from({ length: 6 }, () => server.engine.createInstance('reference')),
      )
      for (const { instanceKey } of started) await server.engine.awaitInstance(instanceKey)
      assert.equal(most, 2)
    } finally {
      await validate.close()
    }
  })
})

describe('client over a real loopback port', () => {
  it('deploys, starts instances and works their jobs end to end', async () => {
    const tokens = createMemoryTokenStore()
    const server = await openTestServer({ auth: { mode: 'tokens', tokens } })
    const workers: { close(): Promise<void> }[] = []
    try {
      await server.app.listen({ host: '127.0.0.1', port: 0 })
      const { port } = server.app.server.address() as AddressInfo
      const baseUrl = `http://127.0.0.1:${port}`
      const operator = createClient({ baseUrl, token: await tokens.create('operator') })
      const workerClient = createClient({ baseUrl, token: await tokens.create('worker') })

      assert.equal((await operator.health()).status, 'ok')
      const deployment = await operator.deploy([{ name: 'reference.bpmn', content: referenceXml }])
      assert.equal(deployment.deployments[0]?.processDefinition?.processDefinitionId, 'reference')

      const handled: ActivatedJobWire[] = []
      workers.push(
        workerClient.worker('validate', (job) => {
          handled.push(job)
          return { valid: job.variables['amount'] !== 0 }
        }),
        workerClient.worker('charge', () => ({ charged: true })),
        workerClient.worker('reserve', () => ({ reserved: true }), { maxJobsActive: 1 }),
      )

      const keys: string[] = []
      for (let i = 1; i <= 5; i++) {
        const created = await operator.createProcessInstance({
          processDefinitionId: 'reference',
          variables: { amount: i },
        })
        keys.push(created.processInstanceKey)
      }
      const awaited = await operator.createProcessInstance({
        processDefinitionId: 'reference',
        variables: { amount: 9 },
        awaitCompletion: true,
      })
      assert.equal(awaited.state, 'COMPLETED')
      assert.deepEqual(awaited.variables, {
        amount: 9,
        valid: true,
        charged: true,
        reserved: true,
      })

      await eventually(async () => {
        const completed = await operator.searchProcessInstances({
          filter: { processDefinitionId: 'reference', state: 'COMPLETED' },
        })
        return completed.page.totalItems === 6
      }, 'every instance to complete')
      for (const key of keys) {
        const instance = await operator.getProcessInstance(key)
        assert.equal(instance.state, 'COMPLETED')
        const history = await operator.history(key)
        assert.equal(history.items.at(-1)?.type, 'ProcessInstanceCompleted')
      }
      assert.equal(handled.length, 6)

      const refused = await workerClient
        .deploy([{ name: 'x.bpmn', content: referenceXml }])
        .catch((e: unknown) => e)
      assert.ok(refused instanceof BatonHttpError)
      assert.equal(refused.status, 403)
    } finally {
      await Promise.all(workers.map((w) => w.close()))
      await server.close()
    }
  })

  it('hands back the warnings of a descriptive diagram with the deployment', async () => {
    const server = await openTestServer()
    try {
      await server.app.listen({ host: '127.0.0.1', port: 0 })
      const { port } = server.app.server.address() as AddressInfo
      const client = createClient({ baseUrl: `http://127.0.0.1:${port}` })

      const deployment = await client.deploy([{ name: 'sketch.bpmn', content: sketchBpmn }])

      assert.equal(deployment.deployments[0]?.processDefinition?.processDefinitionId, 'sketch')
      assert.deepEqual(
        deployment.warnings.map((w) => `${w.resourceName} ${w.elementId ?? ''} ${w.rule}`),
        ['sketch.bpmn sketch process-not-executable', 'sketch.bpmn Notes flow-node-unreachable'],
      )
      assert.match(deployment.warnings[1]?.message ?? '', /as a descriptive model, Baton starts it/)
    } finally {
      await server.close()
    }
  })
})
