import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { Engine } from '../../src/runtime/engine.ts'
import {
  batonError,
  completedElements,
  eventsOf,
  FakeClock,
  settle,
} from '../support/engine-harness.ts'

// The models sit next to the tests: small processes, each about one construct.
const ns = `xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" targetNamespace="https://baton.dev/test"`
const definitions = (id: string, body: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions ${ns} id="Definitions_${id}">${body}</bpmn:definitions>`
const flow = (id: string, from: string, to: string, condition?: string): string =>
  `<bpmn:sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}">${condition ? `<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${condition}</bpmn:conditionExpression>` : ''}</bpmn:sequenceFlow>`
const service = (id: string, type: string): string =>
  `<bpmn:serviceTask id="${id}"><bpmn:extensionElements><zeebe:taskDefinition type="${type}" /></bpmn:extensionElements></bpmn:serviceTask>`
const paid = `<bpmn:message id="Msg_paid" name="paid"><bpmn:extensionElements><zeebe:subscription correlationKey="=orderId" /></bpmn:extensionElements></bpmn:message>`

async function open(...xml: string[]): Promise<{ engine: Engine; clock: FakeClock }> {
  const clock = new FakeClock()
  const engine = await Engine.open({ path: ':memory:', durable: false, clock })
  await engine.deploy(xml.map((x, i) => ({ name: `model-${i}.bpmn`, xml: x })))
  return { engine, clock }
}

async function statusOf(engine: Engine, key: string): Promise<string | undefined> {
  return (await engine.getInstance(key))?.status
}

const timeoutModel = definitions(
  'timeout',
  `<bpmn:process id="approval" isExecutable="true">
    <bpmn:startEvent id="Start" />${flow('f1', 'Start', 'Approve')}
    <bpmn:userTask id="Approve"><bpmn:extensionElements><zeebe:userTask /></bpmn:extensionElements></bpmn:userTask>
    ${flow('f2', 'Approve', 'Approved')}<bpmn:endEvent id="Approved" />
    <bpmn:boundaryEvent id="Timeout" attachedToRef="Approve"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
    ${flow('f3', 'Timeout', 'Expired')}<bpmn:endEvent id="Expired" />
    <bpmn:boundaryEvent id="Remind" attachedToRef="Approve" cancelActivity="false"><bpmn:timerEventDefinition><bpmn:timeCycle>R2/PT10M</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:boundaryEvent>
    ${flow('f4', 'Remind', 'Reminded')}<bpmn:endEvent id="Reminded" />
  </bpmn:process>`,
)

describe('engine/timer-boundary-event', () => {
  it('fires a non-interrupting cycle while the task waits, then the interrupting timeout cancels the task', async (t) => {
    const { engine, clock } = await open(timeoutModel)
    t.after(() => engine.close())
    const { instanceKey } = await engine.createInstance('approval')

    clock.advance(10 * 60_000)
    assert.equal(await engine.fireDueTimers(), 1)
    clock.advance(10 * 60_000)
    await engine.fireDueTimers()
    clock.advance(10 * 60_000)
    assert.equal(await engine.fireDueTimers(), 0, 'R2: only two reminders')
    assert.equal(await statusOf(engine, instanceKey), 'active')
    assert.equal((await engine.userTasks({ instanceKey, status: 'created' })).length, 1)

    clock.advance(30 * 60_000)
    await engine.fireDueTimers()
    const events = await engine.history(instanceKey)
    assert.equal(completedElements(events).filter((id) => id === 'Reminded').length, 2)
    assert.ok(completedElements(events).includes('Expired'))
    assert.ok(!completedElements(events).includes('Approved'))
    assert.equal(eventsOf(events, 'UserTaskCanceled').length, 1)
    assert.equal(await statusOf(engine, instanceKey), 'completed')
  })

  it('closes the timers when the task completes first', async (t) => {
    const { engine, clock } = await open(timeoutModel)
    t.after(() => engine.close())
    const { instanceKey } = await engine.createInstance('approval')
    const [task] = await engine.userTasks({ instanceKey })
    await engine.completeUserTask(task?.key ?? '', {})
    clock.advance(2 * 3600_000)
    assert.equal(await engine.fireDueTimers(), 0)
    assert.deepEqual(
      completedElements(await engine.history(instanceKey)).filter((id) => id !== 'Start'),
      ['Approve', 'Approved'],
    )
  })

  it('keeps timers across a restart: a timer due while the engine was down fires once after reopening', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-timers-'))
    const clock = new FakeClock()
    const path = join(dir, 'baton.db')
    let engine = await Engine.open({ path, clock })
    await engine.deploy({ name: 'timeout.bpmn', xml: timeoutModel })
    const { instanceKey } = await engine.createInstance('approval')
    await engine.close()

    clock.advance(5 * 3600_000)
    engine = await Engine.open({ path, clock })
    t.after(() => engine.close())
    // After the close: hooks run in the order added, and a live engine's files must stay.
    t.after(() => rmSync(dir, { recursive: true, force: true }))
    await engine.fireDueTimers()
    await engine.fireDueTimers()
    const events = await engine.history(instanceKey)
    assert.ok(completedElements(events).includes('Expired'))
    assert.equal(await statusOf(engine, instanceKey), 'completed')
  })
})

const paymentModel = definitions(
  'payment',
  `${paid}<bpmn:process id="payment" isExecutable="true">
    <bpmn:startEvent id="Start" />${flow('f1', 'Start', 'WaitPaid')}
    <bpmn:intermediateCatchEvent id="WaitPaid"><bpmn:messageEventDefinition messageRef="Msg_paid" /></bpmn:intermediateCatchEvent>
    ${flow('f2', 'WaitPaid', 'End')}<bpmn:endEvent id="End" />
  </bpmn:process>`,
)

describe('engine/message-catch-event', () => {
  it('correlates a message by name and correlation key, with its variables', async (t) => {
    const { engine } = await open(paymentModel)
    t.after(() => engine.close())
    const a = await engine.createInstance('payment', { variables: { orderId: 'A-1' } })
    const b = await engine.createInstance('payment', { variables: { orderId: 'B-2' } })

    const result = await engine.publishMessage({
      name: 'paid',
      correlationKey: 'B-2',
      variables: { amount: 42 },
    })

    assert.equal(result.correlatedInstances, 1)
    assert.equal(await statusOf(engine, a.instanceKey), 'active')
    const record = await engine.getInstance(b.instanceKey)
    assert.equal(record?.status, 'completed')
    assert.equal(record?.state.variables[b.instanceKey]?.['amount'], 42)
  })

  it('buffers a message with a time to live until the subscription opens, and drops it after', async (t) => {
    const { engine, clock } = await open(paymentModel)
    t.after(() => engine.close())
    const early = await engine.publishMessage({
      name: 'paid',
      correlationKey: 'C-3',
      timeToLiveMs: 60_000,
      messageId: 'm-1',
    })
    assert.deepEqual([early.correlatedInstances, early.buffered], [0, true])
    await assert.rejects(
      engine.publishMessage({
        name: 'paid',
        correlationKey: 'C-3',
        timeToLiveMs: 60_000,
        messageId: 'm-1',
      }),
      batonError('BATON_MESSAGE_DUPLICATE', /m-1/),
    )

    const c = await engine.createInstance('payment', { variables: { orderId: 'C-3' } })
    assert.equal(await statusOf(engine, c.instanceKey), 'completed')

    await engine.publishMessage({ name: 'paid', correlationKey: 'D-4', timeToLiveMs: 1000 })
    clock.advance(5000)
    const d = await engine.createInstance('payment', { variables: { orderId: 'D-4' } })
    assert.equal(
      await statusOf(engine, d.instanceKey),
      'active',
      'an expired message is not correlated',
    )
  })

  it('raises an incident naming the element when the correlation key is missing', async (t) => {
    const { engine } = await open(paymentModel)
    t.after(() => engine.close())
    const { instanceKey } = await engine.createInstance('payment')
    const [incident] = await engine.incidents({ instanceKey })
    assert.match(incident?.errorMessage ?? '', /correlation key of 'WaitPaid' evaluated to null/)
  })
})

describe('engine/message-start-event', () => {
  it('starts an instance when a message arrives, with its variables', async (t) => {
    const model = definitions(
      'orders',
      `<bpmn:message id="Msg_order" name="order-placed" /><bpmn:process id="orders" isExecutable="true">
        <bpmn:startEvent id="Placed"><bpmn:messageEventDefinition messageRef="Msg_order" /></bpmn:startEvent>
        ${flow('f1', 'Placed', 'End')}<bpmn:endEvent id="End" />
      </bpmn:process>`,
    )
    const { engine } = await open(model)
    t.after(() => engine.close())
    const result = await engine.publishMessage({
      name: 'order-placed',
      correlationKey: 'o-9',
      variables: { item: 'pen' },
    })
    assert.equal(result.correlatedInstances, 1)
    const [instance] = await engine.instances({ bpmnProcessId: 'orders' })
    assert.equal(instance?.status, 'completed')
    assert.equal(instance?.state.variables[instance.key]?.['item'], 'pen')
    await assert.rejects(
      engine.createInstance('orders'),
      batonError('BATON_PROCESS_NO_NONE_START', /no none start event/),
    )
    const statistics = await engine.store.elementStatistics(instance?.processDefinitionKey ?? '')
    const process = statistics.find((s) => s.elementId === 'orders')
    assert.equal(process?.entered, 1, 'the refused start counts nothing')
  })
})

describe('engine/timer-start-event', () => {
  it('starts an instance each time a start cycle fires, and stops for an older version', async (t) => {
    const model = (cycle: string): string =>
      definitions(
        'nightly',
        `<bpmn:process id="nightly" isExecutable="true">
          <bpmn:startEvent id="Tick"><bpmn:timerEventDefinition><bpmn:timeCycle>${cycle}</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:startEvent>
          ${flow('f1', 'Tick', 'End')}<bpmn:endEvent id="End" />
        </bpmn:process>`,
      )
    const { engine, clock } = await open(model('R3/PT1M'))
    t.after(() => engine.close())
    clock.advance(60_000)
    await engine.fireDueTimers()
    clock.advance(60_000)
    await engine.fireDueTimers()
    assert.equal((await engine.instances({ bpmnProcessId: 'nightly' })).length, 2)

    await engine.deploy({ name: 'nightly-v2.bpmn', xml: model('R1/PT1H') })
    clock.advance(60_000)
    await engine.fireDueTimers()
    assert.equal(
      (await engine.instances({ bpmnProcessId: 'nightly' })).length,
      2,
      'v1 timer closed by v2',
    )
    clock.advance(3600_000)
    await engine.fireDueTimers()
    const all = await engine.instances({ bpmnProcessId: 'nightly' })
    assert.deepEqual(
      all.map((i) => i.version),
      [1, 1, 2],
    )
  })
})

describe('engine/signal-events', () => {
  it('broadcasts a thrown signal to every waiting instance and signal start event', async (t) => {
    const waiting = definitions(
      'signals',
      `<bpmn:signal id="Sig" name="stop-the-line" /><bpmn:process id="worker" isExecutable="true">
        <bpmn:startEvent id="Start" />${flow('f1', 'Start', 'Wait')}
        <bpmn:intermediateCatchEvent id="Wait"><bpmn:signalEventDefinition signalRef="Sig" /></bpmn:intermediateCatchEvent>
        ${flow('f2', 'Wait', 'End')}<bpmn:endEvent id="End" />
      </bpmn:process>
      <bpmn:process id="audit" isExecutable="true">
        <bpmn:startEvent id="Started"><bpmn:signalEventDefinition signalRef="Sig" /></bpmn:startEvent>
        ${flow('f3', 'Started', 'Done')}<bpmn:endEvent id="Done" />
      </bpmn:process>
      <bpmn:process id="alarm" isExecutable="true">
        <bpmn:startEvent id="S" />${flow('f4', 'S', 'Throw')}
        <bpmn:intermediateThrowEvent id="Throw"><bpmn:signalEventDefinition signalRef="Sig" /></bpmn:intermediateThrowEvent>
        ${flow('f5', 'Throw', 'E')}<bpmn:endEvent id="E" />
      </bpmn:process>`,
    )
    const { engine } = await open(waiting)
    t.after(() => engine.close())
    const one = await engine.createInstance('worker')
    const two = await engine.createInstance('worker')

    await engine.createInstance('alarm')

    assert.equal(await statusOf(engine, one.instanceKey), 'completed')
    assert.equal(await statusOf(engine, two.instanceKey), 'completed')
    assert.equal((await engine.instances({ bpmnProcessId: 'audit' })).length, 1)
    const direct = await engine.broadcastSignal('stop-the-line', { reason: 'test' })
    const { signalKey, ...counts } = direct
    assert.deepEqual(counts, { triggeredInstances: 0, startedInstances: 1 })
    assert.match(signalKey, /^[0-9]+$/)
  })
})

const errorModel = definitions(
  'errors',
  `<bpmn:error id="Err_card" errorCode="CARD_DECLINED" />
  <bpmn:process id="checkout" isExecutable="true">
    <bpmn:startEvent id="Start" />${flow('f1', 'Start', 'Pay')}
    <bpmn:subProcess id="Pay">
      <bpmn:startEvent id="PayStart" />${flow('p1', 'PayStart', 'Charge')}
      ${service('Charge', 'charge')}${flow('p2', 'Charge', 'Check')}
      <bpmn:exclusiveGateway id="Check" default="p4" />
      ${flow('p3', 'Check', 'Declined', '=declined = true')}${flow('p4', 'Check', 'PayEnd')}
      <bpmn:endEvent id="Declined"><bpmn:errorEventDefinition errorRef="Err_card" /></bpmn:endEvent>
      <bpmn:endEvent id="PayEnd" />
    </bpmn:subProcess>
    ${flow('f2', 'Pay', 'End')}<bpmn:endEvent id="End" />
    <bpmn:boundaryEvent id="OnDeclined" attachedToRef="Pay"><bpmn:errorEventDefinition errorRef="Err_card" /></bpmn:boundaryEvent>
    ${flow('f3', 'OnDeclined', 'Failed')}<bpmn:endEvent id="Failed" />
  </bpmn:process>
  <bpmn:process id="shipping" isExecutable="true">
    <bpmn:startEvent id="S" />${flow('s1', 'S', 'Ship')}${service('Ship', 'ship')}${flow('s2', 'Ship', 'E')}<bpmn:endEvent id="E" />
    <bpmn:boundaryEvent id="AnyError" attachedToRef="Ship"><bpmn:errorEventDefinition /></bpmn:boundaryEvent>
    ${flow('s3', 'AnyError', 'Handled')}<bpmn:endEvent id="Handled" />
  </bpmn:process>
  <bpmn:process id="unguarded" isExecutable="true">
    <bpmn:startEvent id="U" />${flow('u1', 'U', 'Work')}${service('Work', 'work')}${flow('u2', 'Work', 'UE')}<bpmn:endEvent id="UE" />
  </bpmn:process>
  <bpmn:process id="guarded-call" isExecutable="true">
    <bpmn:startEvent id="G" />${flow('g1', 'G', 'Call')}
    <bpmn:callActivity id="Call"><bpmn:extensionElements><zeebe:calledElement processId="checkout-inner" /></bpmn:extensionElements></bpmn:callActivity>
    ${flow('g2', 'Call', 'GE')}<bpmn:endEvent id="GE" />
    <bpmn:boundaryEvent id="CallFailed" attachedToRef="Call"><bpmn:errorEventDefinition errorRef="Err_card" /></bpmn:boundaryEvent>
    ${flow('g3', 'CallFailed', 'GFailed')}<bpmn:endEvent id="GFailed" />
  </bpmn:process>
  <bpmn:process id="checkout-inner" isExecutable="true">
    <bpmn:startEvent id="I" />${flow('i1', 'I', 'IErr')}
    <bpmn:endEvent id="IErr"><bpmn:errorEventDefinition errorRef="Err_card" /></bpmn:endEvent>
  </bpmn:process>`,
)

describe('engine/error-events', () => {
  it('catches an error end event of a subprocess on the subprocess boundary', async (t) => {
    const { engine } = await open(errorModel)
    t.after(() => engine.close())
    engine.worker('charge', () => ({ declined: true }))
    const result = await engine.createInstance('checkout', { awaitCompletion: true })
    const events = await engine.history(result.instanceKey)
    assert.ok(completedElements(events).includes('Failed'))
    assert.ok(!completedElements(events).includes('End'))
    assert.deepEqual(
      eventsOf(events, 'ErrorThrown').map((e) => [e.errorCode, e.caughtBy]),
      [['CARD_DECLINED', 'OnDeclined']],
    )
  })

  it('catches an error thrown by a job worker with a catch-all boundary event', async (t) => {
    const { engine } = await open(errorModel)
    t.after(() => engine.close())
    engine.worker('ship', async (job) => {
      await job.throwError('NO_COURIER', 'all couriers busy')
    })
    const result = await engine.createInstance('shipping', { awaitCompletion: true })
    assert.ok(completedElements(await engine.history(result.instanceKey)).includes('Handled'))
  })

  it('turns an uncaught worker error into an incident', async (t) => {
    const { engine } = await open(errorModel)
    t.after(() => engine.close())
    engine.worker('work', async (job) => {
      await job.throwError('BOOM', 'no handler')
    })
    const { instanceKey } = await engine.createInstance('unguarded')
    await settle(engine)
    const [incident] = await engine.incidents({ instanceKey })
    assert.equal(incident?.errorType, 'UNHANDLED_ERROR_EVENT')
    assert.match(incident?.errorMessage ?? '', /'BOOM'/)
  })

  it('propagates an error from a called process to the call activity boundary, cancelling the child', async (t) => {
    const { engine } = await open(errorModel)
    t.after(() => engine.close())
    const result = await engine.createInstance('guarded-call', { awaitCompletion: true })
    assert.equal(result.status, 'completed')
    assert.ok(completedElements(await engine.history(result.instanceKey)).includes('GFailed'))
    const [child] = await engine.instances({ parentKey: result.instanceKey })
    assert.equal(child?.status, 'terminated')
  })
})

describe('engine/event-subprocess', () => {
  it('an interrupting message event subprocess ends the main flow; a non-interrupting one runs beside it', async (t) => {
    const model = definitions(
      'esp',
      `${paid}<bpmn:message id="Msg_note" name="note"><bpmn:extensionElements><zeebe:subscription correlationKey="=orderId" /></bpmn:extensionElements></bpmn:message>
      <bpmn:process id="order" isExecutable="true">
        <bpmn:startEvent id="Start" />${flow('f1', 'Start', 'Pack')}
        <bpmn:userTask id="Pack"><bpmn:extensionElements><zeebe:userTask /></bpmn:extensionElements></bpmn:userTask>
        ${flow('f2', 'Pack', 'End')}<bpmn:endEvent id="End" />
        <bpmn:subProcess id="OnNote" triggeredByEvent="true">
          <bpmn:startEvent id="NoteStart" isInterrupting="false"><bpmn:messageEventDefinition messageRef="Msg_note" /></bpmn:startEvent>
          ${flow('n1', 'NoteStart', 'NoteEnd')}<bpmn:endEvent id="NoteEnd" />
        </bpmn:subProcess>
        <bpmn:subProcess id="OnCancel" triggeredByEvent="true">
          <bpmn:startEvent id="CancelStart"><bpmn:messageEventDefinition messageRef="Msg_paid" /></bpmn:startEvent>
          ${flow('c1', 'CancelStart', 'CancelEnd')}<bpmn:endEvent id="CancelEnd" />
        </bpmn:subProcess>
      </bpmn:process>`,
    )
    const { engine } = await open(model)
    t.after(() => engine.close())
    const { instanceKey } = await engine.createInstance('order', { variables: { orderId: 'X' } })
    await engine.publishMessage({ name: 'note', correlationKey: 'X' })
    await engine.publishMessage({ name: 'note', correlationKey: 'X' })
    assert.equal(await statusOf(engine, instanceKey), 'active')
    assert.equal(
      completedElements(await engine.history(instanceKey)).filter((id) => id === 'OnNote').length,
      2,
    )

    await engine.publishMessage({ name: 'paid', correlationKey: 'X' })
    const events = await engine.history(instanceKey)
    assert.equal(await statusOf(engine, instanceKey), 'completed')
    assert.ok(completedElements(events).includes('OnCancel'))
    assert.ok(!completedElements(events).includes('Pack'))
    assert.equal(eventsOf(events, 'UserTaskCanceled').length, 1)
  })
})

describe('engine/event-based-gateway', () => {
  it('follows the first event to arrive and stops waiting for the others', async (t) => {
    const model = definitions(
      'race',
      `${paid}<bpmn:process id="race" isExecutable="true">
        <bpmn:startEvent id="Start" />${flow('f1', 'Start', 'Race')}
        <bpmn:eventBasedGateway id="Race" />${flow('f2', 'Race', 'Paid')}${flow('f3', 'Race', 'TooLate')}
        <bpmn:intermediateCatchEvent id="Paid"><bpmn:messageEventDefinition messageRef="Msg_paid" /></bpmn:intermediateCatchEvent>
        <bpmn:intermediateCatchEvent id="TooLate"><bpmn:timerEventDefinition><bpmn:timeDuration>P1D</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
        ${flow('f4', 'Paid', 'Shipped')}<bpmn:endEvent id="Shipped" />${flow('f5', 'TooLate', 'Cancelled')}<bpmn:endEvent id="Cancelled" />
      </bpmn:process>`,
    )
    const { engine, clock } = await open(model)
    t.after(() => engine.close())
    const slow = await engine.createInstance('race', { variables: { orderId: 'slow' } })
    const fast = await engine.createInstance('race', { variables: { orderId: 'fast' } })
    await engine.publishMessage({ name: 'paid', correlationKey: 'fast' })
    clock.advance(86_400_000)
    await engine.fireDueTimers()

    assert.ok(completedElements(await engine.history(fast.instanceKey)).includes('Shipped'))
    const slowEvents = await engine.history(slow.instanceKey)
    assert.ok(completedElements(slowEvents).includes('Cancelled'))
    assert.equal(await statusOf(engine, fast.instanceKey), 'completed')
    const late = await engine.publishMessage({ name: 'paid', correlationKey: 'slow' })
    assert.equal(late.correlatedInstances, 0, 'the losing subscription was closed')
  })
})

describe('engine/escalation-events', () => {
  it('a non-interrupting escalation boundary runs beside the subprocess, which goes on', async (t) => {
    const model = definitions(
      'escalation',
      `<bpmn:escalation id="Esc" escalationCode="LATE" /><bpmn:process id="delivery" isExecutable="true">
        <bpmn:startEvent id="Start" />${flow('f1', 'Start', 'Deliver')}
        <bpmn:subProcess id="Deliver">
          <bpmn:startEvent id="DS" />${flow('d1', 'DS', 'Warn')}
          <bpmn:intermediateThrowEvent id="Warn"><bpmn:escalationEventDefinition escalationRef="Esc" /></bpmn:intermediateThrowEvent>
          ${flow('d2', 'Warn', 'DE')}<bpmn:endEvent id="DE" />
        </bpmn:subProcess>
        ${flow('f2', 'Deliver', 'End')}<bpmn:endEvent id="End" />
        <bpmn:boundaryEvent id="OnLate" attachedToRef="Deliver" cancelActivity="false"><bpmn:escalationEventDefinition escalationRef="Esc" /></bpmn:boundaryEvent>
        ${flow('f3', 'OnLate', 'Notified')}<bpmn:endEvent id="Notified" />
      </bpmn:process>`,
    )
    const { engine } = await open(model)
    t.after(() => engine.close())
    const result = await engine.createInstance('delivery', { awaitCompletion: true })
    const completed = completedElements(await engine.history(result.instanceKey))
    assert.ok(completed.includes('Notified'))
    assert.ok(completed.includes('End'))
  })
})

describe('engine/conditional-and-link-events', () => {
  it('a conditional catch event waits until its condition becomes true', async (t) => {
    const model = definitions(
      'conditional',
      `<bpmn:process id="stock" isExecutable="true">
        <bpmn:startEvent id="Start" />${flow('f1', 'Start', 'InStock')}
        <bpmn:intermediateCatchEvent id="InStock"><bpmn:conditionalEventDefinition><bpmn:condition xsi:type="bpmn:tFormalExpression">=stock &gt; 0</bpmn:condition></bpmn:conditionalEventDefinition></bpmn:intermediateCatchEvent>
        ${flow('f2', 'InStock', 'Go')}<bpmn:intermediateThrowEvent id="Go"><bpmn:linkEventDefinition name="ship" /></bpmn:intermediateThrowEvent>
        <bpmn:intermediateCatchEvent id="Landing"><bpmn:linkEventDefinition name="ship" /></bpmn:intermediateCatchEvent>
        ${flow('f3', 'Landing', 'End')}<bpmn:endEvent id="End" />
      </bpmn:process>`,
    )
    const { engine } = await open(model)
    t.after(() => engine.close())
    const { instanceKey } = await engine.createInstance('stock', { variables: { stock: 0 } })
    assert.equal(await statusOf(engine, instanceKey), 'active')
    await engine.setVariables(instanceKey, { stock: 3 })
    assert.equal(await statusOf(engine, instanceKey), 'completed')
    assert.ok(completedElements(await engine.history(instanceKey)).includes('Landing'))
  })

  const filtered = (filter: string): string =>
    definitions(
      'filtered',
      `<bpmn:process id="filtered" isExecutable="true">
        <bpmn:startEvent id="Start" />${flow('f1', 'Start', 'InStock')}
        <bpmn:intermediateCatchEvent id="InStock"><bpmn:conditionalEventDefinition><bpmn:extensionElements><zeebe:conditionalFilter ${filter} /></bpmn:extensionElements><bpmn:condition xsi:type="bpmn:tFormalExpression">=stock &gt; 0</bpmn:condition></bpmn:conditionalEventDefinition></bpmn:intermediateCatchEvent>
        ${flow('f2', 'InStock', 'End')}<bpmn:endEvent id="End" />
      </bpmn:process>`,
    )

  it('with zeebe:conditionalFilter variableNames, re-evaluates only when a listed variable changes', async (t) => {
    const { engine } = await open(filtered('variableNames="recount"'))
    t.after(() => engine.close())
    const { instanceKey } = await engine.createInstance('filtered', { variables: { stock: 0 } })
    await engine.setVariables(instanceKey, { stock: 3 })
    assert.equal(await statusOf(engine, instanceKey), 'active', 'stock is not a listed variable')
    await engine.setVariables(instanceKey, { recount: true })
    assert.equal(await statusOf(engine, instanceKey), 'completed')
  })

  it('with zeebe:conditionalFilter variableEvents="create", an update does not re-evaluate', async (t) => {
    const { engine } = await open(filtered('variableEvents="create"'))
    t.after(() => engine.close())
    const { instanceKey } = await engine.createInstance('filtered', { variables: { stock: 0 } })
    await engine.setVariables(instanceKey, { stock: 3 })
    assert.equal(await statusOf(engine, instanceKey), 'active', 'stock was updated, not created')
    await engine.setVariables(instanceKey, { note: 'new' })
    assert.equal(await statusOf(engine, instanceKey), 'completed')
  })

  it('evaluates a filtered condition once when the event is reached', async (t) => {
    const { engine } = await open(filtered('variableNames="recount"'))
    t.after(() => engine.close())
    const { instanceKey } = await engine.createInstance('filtered', { variables: { stock: 5 } })
    assert.equal(await statusOf(engine, instanceKey), 'completed')
  })
})

describe('engine/message-throw-events', () => {
  it('a message throw event and a message end event are jobs for a worker, like send tasks', async (t) => {
    const model = definitions(
      'notify',
      `<bpmn:process id="notify" isExecutable="true">
        <bpmn:startEvent id="Start" />${flow('f1', 'Start', 'Tell')}
        <bpmn:intermediateThrowEvent id="Tell"><bpmn:extensionElements><zeebe:taskDefinition type="send-mail" /></bpmn:extensionElements><bpmn:messageEventDefinition /></bpmn:intermediateThrowEvent>
        ${flow('f2', 'Tell', 'Done')}
        <bpmn:endEvent id="Done"><bpmn:extensionElements><zeebe:taskDefinition type="send-mail" /></bpmn:extensionElements><bpmn:messageEventDefinition /></bpmn:endEvent>
      </bpmn:process>`,
    )
    const { engine } = await open(model)
    t.after(() => engine.close())
    const sent: string[] = []
    engine.worker('send-mail', (job) => {
      sent.push(job.elementId)
    })
    const result = await engine.createInstance('notify', { awaitCompletion: true })
    assert.equal(result.status, 'completed')
    assert.deepEqual(sent, ['Tell', 'Done'])
  })
})

describe('engine/signal-event-subprocesses', () => {
  // A signal end event whose signal both an interrupting and two non-interrupting event
  // subprocesses of the process catch.
  const both = definitions(
    'signal_both',
    `<bpmn:signal id="Sig_go" name="go" />
    <bpmn:process id="both" isExecutable="true">
      <bpmn:startEvent id="Start" />${flow('f1', 'Start', 'Throw')}
      <bpmn:endEvent id="Throw"><bpmn:signalEventDefinition signalRef="Sig_go" /></bpmn:endEvent>
      <bpmn:subProcess id="Beside" triggeredByEvent="true">
        <bpmn:startEvent id="BesideStart" isInterrupting="false"><bpmn:signalEventDefinition signalRef="Sig_go" /></bpmn:startEvent>
        ${flow('b1', 'BesideStart', 'BesideEnd')}<bpmn:endEvent id="BesideEnd" />
      </bpmn:subProcess>
      <bpmn:subProcess id="Instead" triggeredByEvent="true">
        <bpmn:startEvent id="InsteadStart"><bpmn:signalEventDefinition signalRef="Sig_go" /></bpmn:startEvent>
        ${flow('i1', 'InsteadStart', 'InsteadEnd')}<bpmn:endEvent id="InsteadEnd" />
      </bpmn:subProcess>
      <bpmn:subProcess id="Beside2" triggeredByEvent="true">
        <bpmn:startEvent id="Beside2Start" isInterrupting="false"><bpmn:signalEventDefinition signalRef="Sig_go" /></bpmn:startEvent>
        ${flow('c1', 'Beside2Start', 'Beside2End')}<bpmn:endEvent id="Beside2End" />
      </bpmn:subProcess>
    </bpmn:process>`,
  )

  it('an interrupting event subprocess wins over non-interrupting ones caught by the same signal', async (t) => {
    // given
    const { engine } = await open(both)
    t.after(() => engine.close())

    // when
    const { instanceKey } = await engine.createInstance('both')

    // then only the interrupting one ran: the scope it interrupts ends at the instant of the signal
    const history = await engine.history(instanceKey)
    const activated = eventsOf(history, 'ElementActivating').map((e) => e.elementId)
    assert.deepEqual(activated, ['Start', 'Throw', 'Instead', 'InsteadStart', 'InsteadEnd'])
    assert.equal(await statusOf(engine, instanceKey), 'completed')
  })

  it('a signal throw event completes at the instant it throws, before the catch event it triggers', async (t) => {
    // given one branch waits at a signal catch while the other throws it
    const { engine } = await open(
      definitions(
        'signal_order',
        `<bpmn:signal id="Sig_go" name="go" />
        <bpmn:process id="order" isExecutable="true">
          <bpmn:startEvent id="Start" />${flow('f1', 'Start', 'Fork')}
          <bpmn:parallelGateway id="Fork" />${flow('f2', 'Fork', 'Catch')}${flow('f3', 'Fork', 'Throw')}
          <bpmn:intermediateCatchEvent id="Catch"><bpmn:signalEventDefinition signalRef="Sig_go" /></bpmn:intermediateCatchEvent>
          <bpmn:intermediateThrowEvent id="Throw"><bpmn:signalEventDefinition signalRef="Sig_go" /></bpmn:intermediateThrowEvent>
          ${flow('f4', 'Catch', 'CaughtEnd')}<bpmn:endEvent id="CaughtEnd" />
          ${flow('f5', 'Throw', 'ThrownEnd')}<bpmn:endEvent id="ThrownEnd" />
        </bpmn:process>`,
      ),
    )
    t.after(() => engine.close())

    // when
    const { instanceKey } = await engine.createInstance('order')

    // then
    const completed = completedElements(await engine.history(instanceKey))
    assert.deepEqual(completed.slice(completed.indexOf('Throw')), [
      'Throw',
      'Catch',
      'ThrownEnd',
      'CaughtEnd',
    ])
  })
})
