/**
 * Acceptance: Camunda's own TypeScript client (@camunda8/orchestration-cluster-api) drives a real
 * Baton server over HTTP, with its request and response validation strict, so any field, status or
 * format Baton gets wrong for Camunda 8 REST v2 fails here.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { createCamundaClient, ProcessDefinitionId } from '@camunda8/orchestration-cluster-api'
import type { CamundaClient, ProcessInstanceKey } from '@camunda8/orchestration-cluster-api'
import type { FastifyInstance } from 'fastify'
import { Engine } from '../../src/runtime/engine.ts'
import { createMemoryTokenStore, createServer } from '../../src/server/index.ts'

function fixture(name: string): File {
  const content = readFileSync(new URL(`./fixtures/${name}`, import.meta.url))
  return new File([content], name, { type: 'application/xml' })
}

/** How long a step may take to show (the client polls, the server long-polls). */
const WAIT_MS = 10_000

describe('server/camunda-client (Camunda 8 TypeScript client against Baton)', () => {
  let engine: Engine
  let app: FastifyInstance
  let camunda: CamundaClient
  /** The order instance the worker and user task flow leaves waiting for its message. */
  let waitingOrder: { key: ProcessInstanceKey; orderId: string } | undefined
  /** Jobs of type flaky-charge the worker was handed, to fail the first one. */
  let flakyAttempts = 0

  before(async () => {
    engine = await Engine.open({ path: ':memory:', durable: false })
    const tokens = createMemoryTokenStore()
    const token = await tokens.create('admin')
    app = await createServer({ engine, auth: { mode: 'tokens', tokens } })
    await app.listen({ host: '127.0.0.1', port: 0 })
    const { port } = app.server.address() as AddressInfo
    camunda = createCamundaClient({
      config: {
        CAMUNDA_REST_ADDRESS: `http://127.0.0.1:${port}`,
        // Baton's API tokens are bearer tokens; the client's OAuth strategy would first fetch one
        // from an identity provider, so the token is added to each request by its fetch.
        CAMUNDA_AUTH_STRATEGY: 'NONE',
        CAMUNDA_SDK_VALIDATION: 'req:strict,res:strict',
        CAMUNDA_SDK_HTTP_RETRY_MAX_ATTEMPTS: 1,
        CAMUNDA_SDK_LOG_LEVEL: 'error',
      },
      fetch: (input, init) => {
        const request = new Request(input, init)
        request.headers.set('authorization', `Bearer ${token}`)
        return fetch(request)
      },
    })
    camunda.createJobWorker({
      jobType: 'charge-card',
      maxParallelJobs: 2,
      jobTimeoutMs: 30_000,
      pollTimeoutMs: 1_000,
      jobHandler: (job) => job.complete({ charged: true, amount: job.variables['amount'] }),
    })
    camunda.createJobWorker({
      jobType: 'flaky-charge',
      maxParallelJobs: 1,
      jobTimeoutMs: 30_000,
      pollTimeoutMs: 1_000,
      jobHandler: (job) => {
        flakyAttempts += 1
        return flakyAttempts === 1
          ? job.fail({ errorMessage: 'card declined', retries: 0 })
          : job.complete({ charged: true })
      },
    })
  })

  after(async () => {
    camunda.stopAllWorkers()
    await app.close()
    await engine.close()
  })

  it('reads the topology', async () => {
    const topology = await camunda.getTopology()

    assert.equal(topology.clusterSize, 1)
    assert.equal(topology.brokers[0]?.partitions[0]?.role, 'leader')
  })

  it('deploys BPMN with zeebe extensions', async () => {
    const deployment = await camunda.createDeployment({
      resources: [fixture('order-with-message.bpmn'), fixture('flaky-charge.bpmn')],
    })

    assert.deepEqual(
      deployment.processes.map((p) => [p.processDefinitionId, p.processDefinitionVersion]),
      [
        ['order-with-message', 1],
        ['flaky-charge', 1],
      ],
    )
    assert.match(deployment.deploymentKey, /^[0-9]+$/)
  })

  it('runs the service task by a job worker and completes the user task', async () => {
    const created = await camunda.createProcessInstance({
      processDefinitionId: ProcessDefinitionId.assumeExists('order-with-message'),
      variables: { orderId: 'order-1', amount: 42 },
    })
    assert.equal(created.processDefinitionId, 'order-with-message')
    assert.deepEqual(created.variables, {})

    const tasks = await camunda.searchUserTasks(
      { filter: { processInstanceKey: created.processInstanceKey, state: 'CREATED' } },
      { consistency: { waitUpToMs: WAIT_MS, pollIntervalMs: 50 } },
    )
    assert.equal(tasks.items.length, 1)
    const task = tasks.items[0]
    assert.ok(task)
    assert.equal(task.elementId, 'Approve')
    assert.deepEqual(task.candidateGroups, ['approvers'])
    assert.equal(Number(tasks.page.totalItems), 1)

    await camunda.completeUserTask({ userTaskKey: task.userTaskKey, variables: { approved: true } })

    const instance = await camunda.getProcessInstance(
      { processInstanceKey: created.processInstanceKey },
      { consistency: { waitUpToMs: 0 } },
    )
    assert.equal(instance.state, 'ACTIVE', 'the instance waits for the payment message')
    assert.equal(instance.processDefinitionName, 'Order with message')
    assert.equal(instance.endDate, undefined)
    const variables = (await engine.getInstance(created.processInstanceKey))?.state.variables[
      created.processInstanceKey
    ]
    assert.deepEqual(variables, { orderId: 'order-1', amount: 42, charged: true, approved: true })
    waitingOrder = { key: created.processInstanceKey, orderId: 'order-1' }
  })

  it('publishes the correlated message and the instance completes', async () => {
    assert.ok(waitingOrder, 'needs the order instance of the worker and user task test')
    const unknown = await camunda
      .correlateMessage({ name: 'payment-confirmed', correlationKey: 'no-such-order' })
      .then(
        () => undefined,
        (error: unknown) => error as { status?: number },
      )
    assert.equal(unknown?.status, 404, 'a correlation nothing waits for is a 404')

    const published = await camunda.publishMessage({
      name: 'payment-confirmed',
      correlationKey: waitingOrder.orderId,
      timeToLive: 0,
      variables: { paymentId: 'pay-1' },
    })
    assert.match(String(published.messageKey), /^[0-9]+$/)

    const instance = await camunda.getProcessInstance(
      { processInstanceKey: waitingOrder.key },
      {
        consistency: {
          waitUpToMs: WAIT_MS,
          pollIntervalMs: 50,
          predicate: (result) => result.state === 'COMPLETED',
        },
      },
    )
    assert.equal(instance.state, 'COMPLETED')
    assert.ok(instance.endDate)
  })

  it('broadcasts a signal nothing waits for and gets its key', async () => {
    const broadcast = await camunda.broadcastSignal({ signalName: 'nobody-listens' })
    assert.match(String(broadcast.signalKey), /^[0-9]+$/)
  })

  it('raises an incident for a job failed without retries, and resolves it', async () => {
    const created = await camunda.createProcessInstance({
      processDefinitionId: ProcessDefinitionId.assumeExists('flaky-charge'),
    })

    const incidents = await camunda.searchIncidents(
      { filter: { processInstanceKey: created.processInstanceKey, state: 'ACTIVE' } },
      { consistency: { waitUpToMs: WAIT_MS, pollIntervalMs: 50 } },
    )
    const incident = incidents.items?.[0]
    assert.ok(incident?.incidentKey)
    assert.equal(incident.errorType, 'JOB_NO_RETRIES')
    assert.equal(incident.errorMessage, 'card declined')
    const withIncident = await camunda.getProcessInstance(
      { processInstanceKey: created.processInstanceKey },
      { consistency: { waitUpToMs: 0 } },
    )
    assert.equal(withIncident.hasIncident, true)

    await camunda.resolveIncident({ incidentKey: incident.incidentKey })

    const instance = await camunda.getProcessInstance(
      { processInstanceKey: created.processInstanceKey },
      {
        consistency: {
          waitUpToMs: WAIT_MS,
          pollIntervalMs: 50,
          predicate: (result) => result.state === 'COMPLETED',
        },
      },
    )
    assert.equal(instance.state, 'COMPLETED')
    assert.equal(instance.hasIncident, false)
    assert.equal(flakyAttempts, 2)
  })
})
