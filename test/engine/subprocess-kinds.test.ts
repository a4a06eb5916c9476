import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Engine } from '../../src/runtime/engine.ts'
import { completedElements, FakeClock } from '../support/engine-harness.ts'

const ns = `xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" targetNamespace="https://baton.dev/test"`
const model = (body: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions ${ns} id="Definitions_kinds">${body}</bpmn:definitions>`
const service = (id: string, type: string): string =>
  `<bpmn:serviceTask id="${id}"><bpmn:extensionElements><zeebe:taskDefinition type="${type}" /></bpmn:extensionElements></bpmn:serviceTask>`

async function open(xml: string): Promise<Engine> {
  const engine = await Engine.open({ path: ':memory:', durable: false, clock: new FakeClock() })
  await engine.deploy({ name: 'kinds.bpmn', xml })
  return engine
}

const adHoc = (ordering: string, extra: string): string =>
  model(`<bpmn:process id="checks" isExecutable="true">
    <bpmn:startEvent id="Start" /><bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Checks" />
    <bpmn:adHocSubProcess id="Checks" ordering="${ordering}">
      ${extra}
      ${service('Credit', 'check')}${service('Fraud', 'check')}${service('Address', 'check')}
    </bpmn:adHocSubProcess>
    <bpmn:sequenceFlow id="f2" sourceRef="Checks" targetRef="End" /><bpmn:endEvent id="End" />
  </bpmn:process>`)

describe('engine/ad-hoc-subprocess', () => {
  it('runs the elements named by the active elements collection, one at a time when sequential', async (t) => {
    const engine = await open(
      adHoc(
        'Sequential',
        '<bpmn:extensionElements><zeebe:adHoc activeElementsCollection="=checks" /></bpmn:extensionElements>',
      ),
    )
    t.after(() => engine.close())
    const order: string[] = []
    let running = 0
    let most = 0
    engine.worker('check', async (job) => {
      running++
      most = Math.max(most, running)
      order.push(job.elementId)
      await Promise.resolve()
      running--
    })
    const result = await engine.createInstance('checks', {
      variables: { checks: ['Fraud', 'Credit'] },
      awaitCompletion: true,
    })
    assert.equal(result.status, 'completed')
    assert.deepEqual(order, ['Fraud', 'Credit'])
    assert.equal(most, 1)
  })

  it('runs every element without incoming flows in parallel, and stops early on the completion condition', async (t) => {
    const engine = await open(
      adHoc(
        'Parallel',
        '<bpmn:completionCondition xsi:type="bpmn:tFormalExpression">=rejected = true</bpmn:completionCondition>',
      ),
    )
    t.after(() => engine.close())
    const jobs: string[] = []
    engine.worker(
      'check',
      (job) => {
        jobs.push(job.elementId)
        return job.elementId === 'Credit' ? { rejected: true } : undefined
      },
      { maxActive: 1 },
    )
    const result = await engine.createInstance('checks', {
      variables: { rejected: false },
      awaitCompletion: true,
    })
    assert.equal(result.status, 'completed')
    assert.deepEqual(
      jobs,
      ['Credit'],
      'the condition held after the first check: the others were cancelled',
    )
    assert.ok(completedElements(await engine.history(result.instanceKey)).includes('End'))
  })
})

describe('engine/transaction', () => {
  it('a cancel end event cancels the transaction, which leaves through its cancel boundary event', async (t) => {
    const engine = await open(
      model(`<bpmn:process id="booking" isExecutable="true">
        <bpmn:startEvent id="Start" /><bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Book" />
        <bpmn:transaction id="Book">
          <bpmn:startEvent id="TS" /><bpmn:sequenceFlow id="t1" sourceRef="TS" targetRef="Decide" />
          <bpmn:exclusiveGateway id="Decide" default="t3" />
          <bpmn:sequenceFlow id="t2" sourceRef="Decide" targetRef="Abort"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">=full</bpmn:conditionExpression></bpmn:sequenceFlow>
          <bpmn:sequenceFlow id="t3" sourceRef="Decide" targetRef="TE" />
          <bpmn:endEvent id="Abort"><bpmn:cancelEventDefinition /></bpmn:endEvent>
          <bpmn:endEvent id="TE" />
        </bpmn:transaction>
        <bpmn:sequenceFlow id="f2" sourceRef="Book" targetRef="Booked" /><bpmn:endEvent id="Booked" />
        <bpmn:boundaryEvent id="Cancelled" attachedToRef="Book"><bpmn:cancelEventDefinition /></bpmn:boundaryEvent>
        <bpmn:sequenceFlow id="f3" sourceRef="Cancelled" targetRef="NotBooked" /><bpmn:endEvent id="NotBooked" />
      </bpmn:process>`),
    )
    t.after(() => engine.close())
    const full = await engine.createInstance('booking', {
      variables: { full: true },
      awaitCompletion: true,
    })
    const done = completedElements(await engine.history(full.instanceKey))
    assert.ok(done.includes('NotBooked'))
    assert.ok(!done.includes('Booked'))
    const free = await engine.createInstance('booking', {
      variables: { full: false },
      awaitCompletion: true,
    })
    assert.ok(completedElements(await engine.history(free.instanceKey)).includes('Booked'))
  })
})

describe('engine/compensation', () => {
  it('undoes completed work in reverse order when compensation is thrown, and only once', async (t) => {
    const handler = (id: string, type: string): string =>
      `<bpmn:serviceTask id="${id}" isForCompensation="true"><bpmn:extensionElements><zeebe:taskDefinition type="${type}" /></bpmn:extensionElements></bpmn:serviceTask>`
    const engine = await open(
      model(`<bpmn:process id="trip" isExecutable="true">
        <bpmn:startEvent id="Start" /><bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Flight" />
        ${service('Flight', 'book')}<bpmn:sequenceFlow id="f2" sourceRef="Flight" targetRef="Hotel" />
        ${service('Hotel', 'book')}<bpmn:sequenceFlow id="f3" sourceRef="Hotel" targetRef="Undo" />
        <bpmn:intermediateThrowEvent id="Undo"><bpmn:compensateEventDefinition /></bpmn:intermediateThrowEvent>
        <bpmn:sequenceFlow id="f4" sourceRef="Undo" targetRef="UndoAgain" />
        <bpmn:intermediateThrowEvent id="UndoAgain"><bpmn:compensateEventDefinition /></bpmn:intermediateThrowEvent>
        <bpmn:sequenceFlow id="f5" sourceRef="UndoAgain" targetRef="End" /><bpmn:endEvent id="End" />
        <bpmn:boundaryEvent id="FlightComp" attachedToRef="Flight"><bpmn:compensateEventDefinition /></bpmn:boundaryEvent>
        <bpmn:boundaryEvent id="HotelComp" attachedToRef="Hotel"><bpmn:compensateEventDefinition /></bpmn:boundaryEvent>
        ${handler('CancelFlight', 'cancel')}${handler('CancelHotel', 'cancel')}
        <bpmn:association id="a1" associationDirection="One" sourceRef="FlightComp" targetRef="CancelFlight" />
        <bpmn:association id="a2" associationDirection="One" sourceRef="HotelComp" targetRef="CancelHotel" />
      </bpmn:process>`),
    )
    t.after(() => engine.close())
    engine.worker('book', () => undefined)
    const undone: string[] = []
    engine.worker(
      'cancel',
      (job) => {
        undone.push(job.elementId)
      },
      { maxActive: 1 },
    )
    const result = await engine.createInstance('trip', { awaitCompletion: true })
    assert.equal(result.status, 'completed')
    assert.deepEqual(undone, ['CancelHotel', 'CancelFlight'])
    const completed = completedElements(await engine.history(result.instanceKey))
    assert.ok(
      completed.indexOf('CancelFlight') < completed.indexOf('Undo'),
      'the throw event waits for its handlers',
    )
  })
})
