import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Engine } from '../../src/runtime/engine.ts'
import { completedElements, FakeClock, trail, until } from '../support/engine-harness.ts'

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

describe('engine/compensation-scopes', () => {
  const undo = (id: string): string =>
    `<bpmn:serviceTask id="${id}" isForCompensation="true"><bpmn:extensionElements><zeebe:taskDefinition type="undo" /></bpmn:extensionElements></bpmn:serviceTask>`
  const compensable = (task: string, handler: string): string =>
    `${service(task, 'do')}<bpmn:boundaryEvent id="${task}Comp" attachedToRef="${task}"><bpmn:compensateEventDefinition /></bpmn:boundaryEvent>${undo(handler)}<bpmn:association id="${task}Assoc" associationDirection="One" sourceRef="${task}Comp" targetRef="${handler}" />`
  const flow = (id: string, from: string, to: string): string =>
    `<bpmn:sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}" />`

  async function undoJobs(engine: Engine): Promise<string[]> {
    const jobs = await engine.activateJobs({
      type: 'undo',
      worker: 't',
      timeoutMs: 60_000,
      max: 10,
    })
    return jobs.map((job) => job.elementId)
  }

  it('runs the handler of work done in a completed subprocess inside it, entered again for that', async (t) => {
    // given a subprocess that booked, completed, and a compensation throw after it
    const engine = await open(
      model(`<bpmn:process id="trip" isExecutable="true">
        <bpmn:startEvent id="Start" />${flow('f1', 'Start', 'Trip')}
        <bpmn:subProcess id="Trip">
          <bpmn:startEvent id="TripStart" />${flow('t1', 'TripStart', 'Book')}
          ${compensable('Book', 'Unbook')}${flow('t2', 'Book', 'TripEnd')}<bpmn:endEvent id="TripEnd" />
        </bpmn:subProcess>${flow('f2', 'Trip', 'Undo')}
        <bpmn:intermediateThrowEvent id="Undo"><bpmn:compensateEventDefinition /></bpmn:intermediateThrowEvent>
        ${flow('f3', 'Undo', 'End')}<bpmn:endEvent id="End" />
      </bpmn:process>`),
    )
    t.after(() => engine.close())
    engine.worker('do', () => undefined)
    engine.worker('undo', () => undefined)

    // when
    const result = await engine.createInstance('trip', { awaitCompletion: true })

    // then Trip is entered again (marked as reviving the first one), hosts Unbook, and leaves no token
    const history = await engine.history(result.instanceKey)
    const activating = history.filter((e) => e.type === 'ElementActivating')
    const trips = activating.filter((e) => e.elementId === 'Trip')
    assert.equal(trips.length, 2)
    assert.equal(trips[1]?.revivesScope, trips[0]?.elementInstanceKey)
    const unbook = activating.find((e) => e.elementId === 'Unbook')
    assert.equal(unbook?.flowScopeKey, trips[1]?.elementInstanceKey)
    assert.equal(activating.filter((e) => e.elementId === 'TripStart').length, 1)
    assert.equal(activating.filter((e) => e.elementId === 'Undo').length, 1)
    assert.equal(result.status, 'completed')
  })

  it('starts the handlers one after the other, most recent work first, while the thrower waits', async (t) => {
    // given
    const engine = await open(
      model(`<bpmn:process id="pair" isExecutable="true">
        <bpmn:startEvent id="Start" />${flow('f1', 'Start', 'First')}
        ${compensable('First', 'UndoFirst')}${flow('f2', 'First', 'Second')}
        ${compensable('Second', 'UndoSecond')}${flow('f3', 'Second', 'Undo')}
        <bpmn:intermediateThrowEvent id="Undo"><bpmn:compensateEventDefinition /></bpmn:intermediateThrowEvent>
        ${flow('f4', 'Undo', 'End')}<bpmn:endEvent id="End" />
      </bpmn:process>`),
    )
    t.after(() => engine.close())
    engine.worker('do', () => undefined)
    const { instanceKey } = await engine.createInstance('pair')
    await engine.idle()
    await until(
      engine,
      async () =>
        (await engine.history(instanceKey)).some((e) => e.type === 'CompensationTriggered'),
      'compensation',
    )

    // when the first handler is done
    const first = await undoJobs(engine)
    assert.deepEqual(first, ['UndoSecond'])
    const [job] = Object.values((await engine.getInstance(instanceKey))?.state.jobs ?? {})
    await engine.completeJob(job?.key ?? '')

    // then the next one starts, and the instance goes on after it
    assert.deepEqual(await undoJobs(engine), ['UndoFirst'])
    const [next] = Object.values((await engine.getInstance(instanceKey))?.state.jobs ?? {})
    await engine.completeJob(next?.key ?? '')
    assert.equal((await engine.getInstance(instanceKey))?.status, 'completed')
  })

  it('a compensation end event in an event subprocess compensates the scope the event subprocess is in', async (t) => {
    // given
    const engine = await open(
      model(`<bpmn:escalation id="Esc" escalationCode="late" />
      <bpmn:process id="late" isExecutable="true">
        <bpmn:startEvent id="Start" />${flow('f1', 'Start', 'Book')}
        ${compensable('Book', 'Unbook')}${flow('f2', 'Book', 'Late')}
        <bpmn:endEvent id="Late"><bpmn:escalationEventDefinition escalationRef="Esc" /></bpmn:endEvent>
        <bpmn:subProcess id="OnLate" triggeredByEvent="true">
          <bpmn:startEvent id="OnLateStart"><bpmn:escalationEventDefinition escalationRef="Esc" /></bpmn:startEvent>
          ${flow('e1', 'OnLateStart', 'UndoBook')}
          <bpmn:endEvent id="UndoBook"><bpmn:compensateEventDefinition activityRef="Book" /></bpmn:endEvent>
        </bpmn:subProcess>
      </bpmn:process>`),
    )
    t.after(() => engine.close())
    engine.worker('do', () => undefined)
    engine.worker('undo', () => undefined)

    // when
    const result = await engine.createInstance('late', { awaitCompletion: true })

    // then
    const completed = completedElements(await engine.history(result.instanceKey))
    assert.ok(completed.includes('Unbook'), completed.join(' '))
    assert.ok(completed.indexOf('Unbook') < completed.indexOf('UndoBook'))
  })

  it('a cancel end event: the cancel boundary catches first, the work is undone inside the transaction, then it ends', async (t) => {
    // given
    const engine = await open(
      model(`<bpmn:process id="tx" isExecutable="true">
        <bpmn:startEvent id="Start" />${flow('f1', 'Start', 'Tx')}
        <bpmn:transaction id="Tx">
          <bpmn:startEvent id="TxStart" />${flow('t1', 'TxStart', 'Book')}
          ${compensable('Book', 'Unbook')}${flow('t2', 'Book', 'Cancel')}
          <bpmn:endEvent id="Cancel"><bpmn:cancelEventDefinition /></bpmn:endEvent>
        </bpmn:transaction>${flow('f2', 'Tx', 'Done')}<bpmn:endEvent id="Done" />
        <bpmn:boundaryEvent id="Cancelled" attachedToRef="Tx"><bpmn:cancelEventDefinition /></bpmn:boundaryEvent>
        ${flow('f3', 'Cancelled', 'Undone')}<bpmn:endEvent id="Undone" />
      </bpmn:process>`),
    )
    t.after(() => engine.close())
    engine.worker('do', () => undefined)
    engine.worker('undo', () => undefined)

    // when
    const result = await engine.createInstance('tx', { awaitCompletion: true })

    // then
    const history = await engine.history(result.instanceKey)
    const tx = history.find((e) => e.type === 'ElementActivating' && e.elementId === 'Tx')
    const lines = trail(history, ['ElementActivating', 'ElementCompleted', 'ElementTerminated'])
    const from = lines.indexOf('ElementActivating Cancel')
    assert.deepEqual(lines.slice(from), [
      'ElementActivating Cancel',
      'ElementActivating Cancelled',
      'ElementTerminated Cancel',
      'ElementActivating Unbook',
      'ElementCompleted Unbook',
      'ElementCompleted Cancelled',
      'ElementTerminated Tx',
      'ElementActivating Undone',
      'ElementCompleted Undone',
    ])
    const unbook = history.find((e) => e.type === 'ElementActivating' && e.elementId === 'Unbook')
    assert.equal(
      unbook?.type === 'ElementActivating' && unbook.flowScopeKey,
      tx?.type === 'ElementActivating' && tx.elementInstanceKey,
    )
  })
})
