/**
 * The `peer-bpmn-engine` scenario: the npm package `bpmn-engine` (an in-memory BPMN engine, no
 * persistence) running the reference process and a user-task process with the same loop as
 * Baton's scenarios: `concurrency` lanes, each starting an instance and awaiting its end until
 * `total` instances have run, after `warmup` uncounted ones.
 *
 * bpmn-engine reads no `zeebe:` extensions and no FEEL, so it runs an equivalent model: the same
 * elements and flows as `examples/reference.bpmn`, service tasks implemented by functions that
 * complete at once and set the variable Baton's workers return (`valid`, `charged`, `reserved`),
 * and the gateway condition as a bpmn-engine expression on that variable. The model is parsed once
 * and its serialized context reused for every instance (bpmn-engine's `sourceContext` option).
 *
 * The user-task figures run the same loop on both engines: start an instance, find its waiting
 * user task, complete it, await the end. Baton's side runs on a durable SQLite file like the
 * reference scenario; bpmn-engine keeps everything in memory.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Engine as PeerEngine } from 'bpmn-engine'
import { Engine } from '../../runtime/engine.ts'

const peerReference = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="PeerReference"
  targetNamespace="http://bpmn.io/schema/bpmn">
  <process id="reference" isExecutable="true">
    <startEvent id="Start" />
    <sequenceFlow id="Flow_start" sourceRef="Start" targetRef="Validate" />
    <serviceTask id="Validate" implementation="\${environment.services.validate}" />
    <sequenceFlow id="Flow_validated" sourceRef="Validate" targetRef="Valid" />
    <exclusiveGateway id="Valid" default="Flow_invalid" />
    <sequenceFlow id="Flow_valid" sourceRef="Valid" targetRef="Split">
      <conditionExpression xsi:type="tFormalExpression">\${environment.variables.valid}</conditionExpression>
    </sequenceFlow>
    <sequenceFlow id="Flow_invalid" sourceRef="Valid" targetRef="Rejected" />
    <endEvent id="Rejected" />
    <parallelGateway id="Split" />
    <sequenceFlow id="Flow_to_charge" sourceRef="Split" targetRef="Charge" />
    <sequenceFlow id="Flow_to_reserve" sourceRef="Split" targetRef="Reserve" />
    <serviceTask id="Charge" implementation="\${environment.services.charge}" />
    <serviceTask id="Reserve" implementation="\${environment.services.reserve}" />
    <sequenceFlow id="Flow_charged" sourceRef="Charge" targetRef="Join" />
    <sequenceFlow id="Flow_reserved" sourceRef="Reserve" targetRef="Join" />
    <parallelGateway id="Join" />
    <sequenceFlow id="Flow_done" sourceRef="Join" targetRef="End" />
    <endEvent id="End" />
  </process>
</definitions>`

const userTaskProcess = (extension: string, namespace: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" ${namespace}
  id="UserTaskBench" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="approval" isExecutable="true">
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="Flow_start" sourceRef="Start" targetRef="Approve" />
    <bpmn:userTask id="Approve">${extension}</bpmn:userTask>
    <bpmn:sequenceFlow id="Flow_approved" sourceRef="Approve" targetRef="End" />
    <bpmn:endEvent id="End" />
  </bpmn:process>
</bpmn:definitions>`

/** Baton's user tasks are `zeebe:userTask`; bpmn-engine waits on any user task. */
const batonUserTaskXml = userTaskProcess(
  '<bpmn:extensionElements><zeebe:userTask /></bpmn:extensionElements>',
  'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"',
)
const peerUserTaskXml = userTaskProcess('', '')

export interface LoopFigures {
  readonly instances: number
  readonly concurrency: number
  readonly seconds: number
  readonly instancesPerSecond: number
  /** This process's CPU time (user + system) per instance: steadier on a shared machine. */
  readonly cpuMsPerInstance: number
}

export interface UserTaskFigures extends LoopFigures {
  /** One user task per instance: found, then completed. */
  readonly tasksPerSecond: number
}

export interface PeerBpmnEngineFigures {
  readonly peer: string
  readonly reference: LoopFigures
  readonly userTasks: UserTaskFigures
  /** Baton's side of the same user-task loop (durable SQLite file). */
  readonly batonUserTasks: UserTaskFigures
}

/** Runs `lane` `count` times over `concurrency` lanes and times the whole. */
async function timedLoop(
  count: number,
  concurrency: number,
  one: (i: number) => Promise<void>,
): Promise<LoopFigures> {
  let started = 0
  const cpu = process.cpuUsage()
  const t0 = performance.now()
  const lane = async (): Promise<void> => {
    while (started < count) {
      started++
      await one(started)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane))
  const seconds = (performance.now() - t0) / 1000
  const used = process.cpuUsage(cpu)
  return {
    instances: count,
    concurrency,
    seconds: Math.round(seconds * 1000) / 1000,
    instancesPerSecond: Math.round(count / seconds),
    cpuMsPerInstance: Math.round(((used.user + used.system) / 1000 / count) * 100) / 100,
  }
}

function withTasks(figures: LoopFigures): UserTaskFigures {
  return { ...figures, tasksPerSecond: Math.round(figures.instances / figures.seconds) }
}

type SourceContext = NonNullable<
  NonNullable<ConstructorParameters<typeof PeerEngine>[0]>['sourceContext']
>

/** The serialized model bpmn-engine builds from the XML: parsed once, reused per instance. */
async function peerSource(xml: string): Promise<SourceContext> {
  const template = new PeerEngine({ name: 'template', source: xml })
  const [definition] = await template.getDefinitions()
  if (definition === undefined) throw new Error('bpmn-engine found no definition in the model')
  return (definition.context as unknown as { definitionContext: SourceContext }).definitionContext
}

/** Completes at once and sets the variable Baton's reference workers return. */
function service(variable: string) {
  return (
    scope: { environment: { variables: Record<string, unknown> } },
    callback: (error: Error | null, output?: unknown) => void,
  ): void => {
    scope.environment.variables[variable] = true
    callback(null, { [variable]: true })
  }
}

const services = {
  validate: service('valid'),
  charge: service('charged'),
  reserve: service('reserved'),
}

async function peerReferenceInstance(sourceContext: SourceContext, amount: number): Promise<void> {
  const engine = new PeerEngine({ name: `reference-${amount}`, sourceContext })
  const ended = engine.waitFor('end')
  const completed = new Set<string>()
  const listener = {
    emit(name: string, api: { id: string }): void {
      if (name === 'activity.end') completed.add(api.id)
    },
  }
  await engine.execute({ services, variables: { amount }, listener })
  await ended
  // the same path as Baton's: both branches after the valid gateway, never the rejection
  if (!completed.has('Join') || !completed.has('End') || completed.has('Rejected')) {
    throw new Error(
      `bpmn-engine instance ${amount} took another path: ${[...completed].join(', ')}`,
    )
  }
}

async function peerUserTaskInstance(sourceContext: SourceContext, amount: number): Promise<void> {
  const engine = new PeerEngine({ name: `approval-${amount}`, sourceContext })
  const ended = engine.waitFor('end')
  const execution = await engine.execute({ variables: { amount } })
  const waiting = execution.getPostponed().find((api) => api.type === 'bpmn:UserTask')
  if (waiting === undefined) throw new Error(`bpmn-engine instance ${amount} has no waiting task`)
  waiting.signal({ approved: true })
  await ended
}

async function batonUserTasks(options: {
  total: number
  concurrency: number
  warmup: number
}): Promise<UserTaskFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-'))
  const engine = await Engine.open({ path: join(dir, 'bench.db'), durable: true })
  try {
    await engine.deploy({ name: 'approval.bpmn', xml: batonUserTaskXml })
    const one = async (amount: number): Promise<void> => {
      const created = await engine.createInstance('approval', { variables: { amount } })
      const [task] = await engine.userTasks({ instanceKey: created.instanceKey })
      if (task === undefined) throw new Error(`instance ${created.instanceKey} has no user task`)
      await engine.completeUserTask(task.key, { approved: true })
      const done = await engine.awaitInstance(created.instanceKey)
      if (done.status !== 'completed') throw new Error(`instance ${done.key} ${done.status}`)
    }
    await timedLoop(options.warmup, options.concurrency, one)
    return withTasks(await timedLoop(options.total, options.concurrency, one))
  } finally {
    await engine.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Runs both processes on bpmn-engine, and the user-task loop on Baton. */
export async function benchPeerBpmnEngine(options: {
  total: number
  concurrency: number
  warmup: number
}): Promise<PeerBpmnEngineFigures> {
  const referenceSource = await peerSource(peerReference)
  const run = (count: number) =>
    timedLoop(count, options.concurrency, (i) => peerReferenceInstance(referenceSource, i))
  await run(options.warmup)
  const reference = await run(options.total)

  const userTaskSource = await peerSource(peerUserTaskXml)
  const runTasks = (count: number) =>
    timedLoop(count, options.concurrency, (i) => peerUserTaskInstance(userTaskSource, i))
  await runTasks(options.warmup)
  const userTasks = withTasks(await runTasks(options.total))

  return {
    peer: 'bpmn-engine 25.0.1 (in memory)',
    reference,
    userTasks,
    batonUserTasks: await batonUserTasks(options),
  }
}
