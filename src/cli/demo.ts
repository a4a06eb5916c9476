/**
 * `baton demo`: opens the embedded engine, deploys the example processes, runs demo workers and a
 * demo clerk, and prints what every instance did.
 */
import { mkdir } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import type { EngineEvent } from '../engine/types.ts'
import { Engine } from '../runtime/engine.ts'
import { deployExamples, startExampleWorkers } from './examples.ts'

export interface DemoOptions {
  /** SQLite file (default ./.baton/baton.db). */
  readonly db: string
  readonly out?: (line: string) => void
}

function describe(event: EngineEvent): string | undefined {
  switch (event.type) {
    case 'ElementCompleted':
      return `completed ${event.elementId}`
    case 'JobCreated':
      return `job '${event.jobType}' created for ${event.elementId}`
    case 'UserTaskCreated':
      return `user task '${event.name ?? event.elementId}' for ${event.candidateGroups.join(', ') || event.assignee || 'anyone'}`
    case 'UserTaskCompleted':
      return `user task completed with ${JSON.stringify(event.variables)}`
    case 'ChildInstanceCreated':
      return `called process '${event.bpmnProcessId}' (instance ${event.childInstanceKey})`
    case 'SubscriptionTriggered':
      return `caught ${event.elementId}${Object.keys(event.variables).length ? ` with ${JSON.stringify(event.variables)}` : ''}`
    case 'IncidentCreated':
      return `INCIDENT on ${event.elementId}: ${event.errorMessage}`
    case 'ProcessInstanceCompleted':
      return 'instance completed'
    default:
      return undefined
  }
}

export async function runDemo(options: DemoOptions): Promise<void> {
  const out = options.out ?? console.log
  if (options.db !== ':memory:') await mkdir(dirname(resolve(options.db)), { recursive: true })
  const engine = await Engine.open({ path: options.db })
  try {
    const deployed = await deployExamples(engine)
    for (const d of deployed) {
      out(
        `deployed ${d.bpmnProcessId} v${d.version} from ${d.resourceName}${d.isNew ? '' : ' (unchanged)'}`,
      )
    }

    startExampleWorkers(engine)

    const orders = [
      { id: 1001, total: 120, customer: 'Ada' },
      { id: 1002, total: 9800, customer: 'Grace' },
      { id: 1003, total: 2400, customer: 'Linus' },
    ]
    const started = await Promise.all(
      orders.map((order) =>
        engine.createInstance('order-to-cash', {
          variables: { order },
          businessKey: `order-${order.id}`,
        }),
      ),
    )
    for (const s of started) out(`started order-to-cash instance ${s.instanceKey}`)
    // The bank's payment messages: buffered (time to live) until each order waits for its payment.
    for (const order of orders) {
      await engine.publishMessage({
        name: 'payment-received',
        correlationKey: String(order.id),
        variables: { paidAmount: order.total },
        timeToLiveMs: 3_600_000,
      })
    }

    // A demo clerk works the warehouse task list until every order is through.
    const pending = new Set(started.map((s) => s.instanceKey))
    while (pending.size > 0) {
      for (const task of await engine.userTasks({
        status: 'created',
        candidateGroup: 'warehouse',
      })) {
        await engine.claimUserTask(task.key, 'demo-clerk')
        await engine.completeUserTask(task.key, { packedBy: 'demo-clerk' })
      }
      for (const key of [...pending]) {
        const record = await engine.getInstance(key)
        if (record && record.status !== 'active') pending.delete(key)
      }
      await new Promise((r) => setTimeout(r, 20))
    }

    for (const s of started) {
      const record = await engine.getInstance(s.instanceKey)
      out('')
      out(`instance ${s.instanceKey} (${record?.businessKey}): ${record?.status}`)
      for (const event of await engine.history(s.instanceKey)) {
        const line = describe(event)
        if (line) out(`  ${new Date(event.at).toISOString().slice(11, 23)}  ${line}`)
      }
      out(`  variables: ${JSON.stringify(record?.state.variables[s.instanceKey])}`)
    }
    out('')
    out(
      `state is in ${options.db}; run again to add more instances (deploys are no-ops when unchanged)`,
    )
  } finally {
    await engine.close()
  }
}
