import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import type { EngineEvent } from '../../src/engine/types.ts'
import { Engine } from '../../src/runtime/engine.ts'
import type { InstanceRecord } from '../../src/store/store.ts'
import { completedElements, eventsOf, FakeClock } from '../support/engine-harness.ts'

// The models sit next to the tests: a child that throws an escalation it does not catch itself,
// and parents that call it with one kind of catcher each.
const ns = `xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" targetNamespace="https://baton.dev/test"`
const definitions = (id: string, body: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions ${ns} id="Definitions_${id}">${body}</bpmn:definitions>`
const flow = (id: string, from: string, to: string): string =>
  `<bpmn:sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}" />`
const userTask = (id: string): string =>
  `<bpmn:userTask id="${id}"><bpmn:extensionElements><zeebe:userTask /></bpmn:extensionElements></bpmn:userTask>`
const callActivity = (id: string, processId: string): string =>
  `<bpmn:callActivity id="${id}"><bpmn:extensionElements><zeebe:calledElement processId="${processId}" /></bpmn:extensionElements></bpmn:callActivity>`
/** An escalation boundary event on `attachedTo` (no `escalationRef`: it catches every code). */
const boundary = (
  id: string,
  attachedTo: string,
  escalationRef: string | null,
  interrupting: boolean,
): string =>
  `<bpmn:boundaryEvent id="${id}" attachedToRef="${attachedTo}" cancelActivity="${interrupting}"><bpmn:escalationEventDefinition${escalationRef ? ` escalationRef="${escalationRef}"` : ''} /></bpmn:boundaryEvent>`
/** A process that calls `processId` and ends at End; `extra` adds its catchers and their paths. */
const caller = (id: string, processId: string, extra: string): string =>
  `<bpmn:process id="${id}" isExecutable="true">
    <bpmn:startEvent id="Start" />${flow('f1', 'Start', 'Call')}${callActivity('Call', processId)}
    ${flow('f2', 'Call', 'End')}<bpmn:endEvent id="End" />${extra}
  </bpmn:process>`

const escalations = `<bpmn:escalation id="Esc_late" escalationCode="LATE" /><bpmn:escalation id="Esc_other" escalationCode="OTHER" />`

/** Throws LATE, then waits at Work: the instance is still running when its parent hears of it. */
const warningChild = `<bpmn:process id="warning-child" isExecutable="true">
    <bpmn:startEvent id="CStart" />${flow('c1', 'CStart', 'Warn')}
    <bpmn:intermediateThrowEvent id="Warn"><bpmn:escalationEventDefinition escalationRef="Esc_late" /></bpmn:intermediateThrowEvent>
    ${flow('c2', 'Warn', 'Work')}${userTask('Work')}${flow('c3', 'Work', 'CEnd')}<bpmn:endEvent id="CEnd" />
  </bpmn:process>`

/** Ends at an escalation end event: it throws LATE and completes in the same step. */
const endingChild = `<bpmn:process id="ending-child" isExecutable="true">
    <bpmn:startEvent id="EStart" />${flow('e1', 'EStart', 'EscEnd')}
    <bpmn:endEvent id="EscEnd"><bpmn:escalationEventDefinition escalationRef="Esc_late" /></bpmn:endEvent>
  </bpmn:process>`

/** Waits at Review first, then throws LATE and waits at RWork (for the restart test). */
const reviewedChild = `<bpmn:process id="reviewed-child" isExecutable="true">
    <bpmn:startEvent id="RStart" />${flow('r1', 'RStart', 'Review')}${userTask('Review')}
    ${flow('r2', 'Review', 'RWarn')}
    <bpmn:intermediateThrowEvent id="RWarn"><bpmn:escalationEventDefinition escalationRef="Esc_late" /></bpmn:intermediateThrowEvent>
    ${flow('r3', 'RWarn', 'RWork')}${userTask('RWork')}${flow('r4', 'RWork', 'REnd')}<bpmn:endEvent id="REnd" />
  </bpmn:process>`

// Ids are unique per file, so each process has a file of its own.
const processes = [
  warningChild,
  endingChild,
  reviewedChild,
  caller(
    'interrupting-parent',
    'warning-child',
    `${boundary('OnLate', 'Call', 'Esc_late', true)}${flow('f3', 'OnLate', 'Escalated')}<bpmn:endEvent id="Escalated" />`,
  ),
  caller(
    'non-interrupting-parent',
    'warning-child',
    `${boundary('OnLate', 'Call', 'Esc_late', false)}${flow('f3', 'OnLate', 'Notified')}<bpmn:endEvent id="Notified" />`,
  ),
  caller(
    'by-code-parent',
    'warning-child',
    `${boundary('OnOther', 'Call', 'Esc_other', true)}${flow('f3', 'OnOther', 'Other')}<bpmn:endEvent id="Other" />
    ${boundary('OnLate', 'Call', 'Esc_late', false)}${flow('f4', 'OnLate', 'Notified')}<bpmn:endEvent id="Notified" />`,
  ),
  caller(
    'other-code-parent',
    'ending-child',
    `${boundary('OnOther', 'Call', 'Esc_other', true)}${flow('f3', 'OnOther', 'Other')}<bpmn:endEvent id="Other" />`,
  ),
  caller(
    'ending-interrupting-parent',
    'ending-child',
    `${boundary('OnLate', 'Call', 'Esc_late', true)}${flow('f3', 'OnLate', 'Escalated')}<bpmn:endEvent id="Escalated" />`,
  ),
  caller(
    'reviewed-parent',
    'reviewed-child',
    `${boundary('OnLate', 'Call', 'Esc_late', true)}${flow('f3', 'OnLate', 'Handle')}${userTask('Handle')}
    ${flow('f4', 'Handle', 'Handled')}<bpmn:endEvent id="Handled" />`,
  ),
  `<bpmn:process id="subprocess-parent" isExecutable="true">
    <bpmn:startEvent id="Start" />${flow('f1', 'Start', 'Outer')}
    <bpmn:subProcess id="Outer">
      <bpmn:startEvent id="OStart" />${flow('o1', 'OStart', 'Call')}${callActivity('Call', 'warning-child')}
      ${flow('o2', 'Call', 'OEnd')}<bpmn:endEvent id="OEnd" />
    </bpmn:subProcess>
    ${flow('f2', 'Outer', 'End')}<bpmn:endEvent id="End" />
    <bpmn:subProcess id="OnLateEsp" triggeredByEvent="true">
      <bpmn:startEvent id="EspStart"><bpmn:escalationEventDefinition escalationRef="Esc_late" /></bpmn:startEvent>
      ${flow('s1', 'EspStart', 'EspEnd')}<bpmn:endEvent id="EspEnd" />
    </bpmn:subProcess>
  </bpmn:process>`,
  `<bpmn:process id="multi-instance-parent" isExecutable="true">
    <bpmn:startEvent id="Start" />${flow('f1', 'Start', 'Call')}
    <bpmn:callActivity id="Call">
      <bpmn:extensionElements><zeebe:calledElement processId="warning-child" /></bpmn:extensionElements>
      <bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=[1, 2]" inputElement="item" /></bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics>
    </bpmn:callActivity>
    ${flow('f2', 'Call', 'End')}<bpmn:endEvent id="End" />
    ${boundary('OnLate', 'Call', 'Esc_late', false)}${flow('f3', 'OnLate', 'Notified')}<bpmn:endEvent id="Notified" />
  </bpmn:process>`,
  caller('middle', 'warning-child', ''),
  caller(
    'grandparent',
    'middle',
    `${boundary('OnAny', 'Call', null, true)}${flow('f3', 'OnAny', 'Escalated')}<bpmn:endEvent id="Escalated" />`,
  ),
]
const files = processes.map((process, i) => ({
  name: `escalation-${i}.bpmn`,
  xml: definitions(`escalation_${i}`, `${escalations}${process}`),
}))

async function open(path = ':memory:', clock = new FakeClock()): Promise<Engine> {
  const engine = await Engine.open({ path, durable: path !== ':memory:', clock })
  await engine.deploy(files)
  return engine
}

async function onlyChild(engine: Engine, parentKey: string): Promise<InstanceRecord> {
  const children = await engine.instances({ parentKey })
  assert.equal(children.length, 1, `instance ${parentKey} called one instance`)
  const [child] = children
  assert.ok(child)
  return child
}

/** Each EscalationThrown as [element, code, caught by, the called instance it came from]. */
function escalationsOf(events: readonly EngineEvent[]): (string | null)[][] {
  return eventsOf(events, 'EscalationThrown').map((e) => [
    e.elementId,
    e.escalationCode,
    e.caughtBy,
    e.childInstanceKey ?? null,
  ])
}

async function completeOnlyTask(engine: Engine, instanceKey: string): Promise<void> {
  const tasks = await engine.userTasks({ instanceKey, status: 'created' })
  assert.equal(tasks.length, 1, `instance ${instanceKey} waits at one user task`)
  await engine.completeUserTask(tasks[0]?.key ?? '', {})
}

describe('engine/escalation-propagation', () => {
  it('an interrupting boundary on the call activity catches the escalation and terminates the child', async (t) => {
    // given
    const engine = await open()
    t.after(() => engine.close())

    // when the child throws LATE and waits at Work
    const { instanceKey } = await engine.createInstance('interrupting-parent')

    // then the child went on past the throw, and was then terminated by its parent
    const child = await onlyChild(engine, instanceKey)
    assert.equal(child.status, 'terminated')
    const childEvents = await engine.history(child.key)
    assert.deepEqual(escalationsOf(childEvents), [['Warn', 'LATE', null, null]])
    assert.ok(completedElements(childEvents).includes('Warn'))
    assert.deepEqual(
      eventsOf(childEvents, 'ElementTerminated').map((e) => e.elementId),
      ['Work'],
    )
    assert.equal(childEvents.at(-1)?.type, 'ProcessInstanceTerminated')
    assert.equal((await engine.userTasks({ instanceKey: child.key }))[0]?.status, 'canceled')

    // and the parent took the boundary path, not the call activity's
    assert.equal((await engine.getInstance(instanceKey))?.status, 'completed')
    const events = await engine.history(instanceKey)
    assert.deepEqual(escalationsOf(events), [['Call', 'LATE', 'OnLate', child.key]])
    assert.deepEqual(completedElements(events), ['Start', 'OnLate', 'Escalated'])
    assert.deepEqual(
      eventsOf(events, 'ElementTerminated').map((e) => e.elementId),
      ['Call'],
    )
    assert.equal((await engine.incidents({ instanceKey })).length, 0)
  })

  it('a non-interrupting boundary on the call activity runs its path beside the child, which completes normally', async (t) => {
    // given
    const engine = await open()
    t.after(() => engine.close())

    // when the child throws LATE
    const { instanceKey } = await engine.createInstance('non-interrupting-parent')

    // then the boundary path ran while the call activity still waits for the child
    const child = await onlyChild(engine, instanceKey)
    assert.equal(child.status, 'active')
    let events = await engine.history(instanceKey)
    assert.deepEqual(escalationsOf(events), [['Call', 'LATE', 'OnLate', child.key]])
    assert.deepEqual(completedElements(events), ['Start', 'OnLate', 'Notified'])
    assert.equal((await engine.getInstance(instanceKey))?.status, 'active')

    // when the child's task completes, then the child and the call activity complete normally
    await completeOnlyTask(engine, child.key)
    assert.equal((await engine.getInstance(child.key))?.status, 'completed')
    assert.deepEqual(completedElements(await engine.history(child.key)), [
      'CStart',
      'Warn',
      'Work',
      'CEnd',
    ])
    events = await engine.history(instanceKey)
    assert.equal((await engine.getInstance(instanceKey))?.status, 'completed')
    assert.deepEqual(completedElements(events), ['Start', 'OnLate', 'Notified', 'Call', 'End'])
    assert.equal(eventsOf(events, 'ElementTerminated').length, 0)
  })

  it('an event subprocess of the parent catches it from a call activity inside a subprocess', async (t) => {
    // given
    const engine = await open()
    t.after(() => engine.close())

    // when
    const { instanceKey } = await engine.createInstance('subprocess-parent')

    // then the search went from Call out through Outer to the process's event subprocess
    const child = await onlyChild(engine, instanceKey)
    assert.equal(child.status, 'terminated')
    const events = await engine.history(instanceKey)
    assert.deepEqual(escalationsOf(events), [['Call', 'LATE', 'EspStart', child.key]])
    assert.equal((await engine.getInstance(instanceKey))?.status, 'completed')
    const completed = completedElements(events)
    assert.ok(completed.includes('OnLateEsp'))
    assert.ok(!completed.includes('Outer') && !completed.includes('End'))
    assert.deepEqual(
      eventsOf(events, 'ElementTerminated').map((e) => e.elementId),
      ['Call', 'Outer'],
    )
  })

  it('goes up two levels of call activities to a catch-all boundary, terminating both called instances', async (t) => {
    // given
    const engine = await open()
    t.after(() => engine.close())

    // when the innermost instance throws LATE
    const { instanceKey } = await engine.createInstance('grandparent')

    // then the middle instance did not catch it and passed it on
    const middle = await onlyChild(engine, instanceKey)
    const inner = await onlyChild(engine, middle.key)
    assert.deepEqual(escalationsOf(await engine.history(inner.key)), [['Warn', 'LATE', null, null]])
    assert.deepEqual(escalationsOf(await engine.history(middle.key)), [
      ['Call', 'LATE', null, inner.key],
    ])
    // and the grandparent caught it on its own call activity, which ends both below it
    const events = await engine.history(instanceKey)
    assert.deepEqual(escalationsOf(events), [['Call', 'LATE', 'OnAny', middle.key]])
    assert.deepEqual(completedElements(events), ['Start', 'OnAny', 'Escalated'])
    assert.equal((await engine.getInstance(instanceKey))?.status, 'completed')
    assert.equal(middle.status, 'terminated')
    assert.equal(inner.status, 'terminated')
  })

  it('each called instance of a multi-instance call activity escalates to the boundary of the whole activity', async (t) => {
    // given
    const engine = await open()
    t.after(() => engine.close())

    // when both iterations' called instances throw LATE
    const { instanceKey } = await engine.createInstance('multi-instance-parent')

    // then the non-interrupting boundary ran once for each, while both go on
    const children = await engine.instances({ parentKey: instanceKey })
    assert.equal(children.length, 2)
    assert.ok(children.every((child) => child.status === 'active'))
    let events = await engine.history(instanceKey)
    assert.deepEqual(
      escalationsOf(events).map(([, code, caughtBy]) => [code, caughtBy]),
      [
        ['LATE', 'OnLate'],
        ['LATE', 'OnLate'],
      ],
    )
    assert.deepEqual(
      completedElements(events).filter((id) => id === 'Notified'),
      ['Notified', 'Notified'],
    )

    // when both called instances finish, then the call activity completes
    for (const child of children) await completeOnlyTask(engine, child.key)
    events = await engine.history(instanceKey)
    assert.equal((await engine.getInstance(instanceKey))?.status, 'completed')
    assert.ok(completedElements(events).includes('End'))
  })

  it('catches by code: the boundary for LATE runs, the one for another code does not', async (t) => {
    // given
    const engine = await open()
    t.after(() => engine.close())

    // when
    const { instanceKey } = await engine.createInstance('by-code-parent')

    // then
    const child = await onlyChild(engine, instanceKey)
    assert.equal(child.status, 'active')
    const events = await engine.history(instanceKey)
    assert.deepEqual(escalationsOf(events), [['Call', 'LATE', 'OnLate', child.key]])
    assert.deepEqual(completedElements(events), ['Start', 'OnLate', 'Notified'])
    assert.ok(!events.some((e) => 'elementId' in e && e.elementId === 'OnOther'))
  })

  it('an escalation nothing catches changes nothing: both instances complete, with no incident', async (t) => {
    // given a parent whose only catcher waits for another code
    const engine = await open()
    t.after(() => engine.close())

    // when the child ends at an escalation end event
    const { instanceKey } = await engine.createInstance('other-code-parent')

    // then both completed along their normal paths
    const child = await onlyChild(engine, instanceKey)
    assert.equal(child.status, 'completed')
    assert.deepEqual(escalationsOf(await engine.history(child.key)), [
      ['EscEnd', 'LATE', null, null],
    ])
    const events = await engine.history(instanceKey)
    assert.equal((await engine.getInstance(instanceKey))?.status, 'completed')
    assert.deepEqual(escalationsOf(events), [['Call', 'LATE', null, child.key]])
    assert.deepEqual(completedElements(events), ['Start', 'Call', 'End'])
    assert.equal(eventsOf(events, 'IncidentCreated').length, 0)
    assert.equal((await engine.incidents({ instanceKey })).length, 0)
    assert.equal((await engine.incidents({ instanceKey: child.key })).length, 0)
  })

  it('an escalation end event completes its child before an interrupting catch in the parent takes the boundary path', async (t) => {
    // given
    const engine = await open()
    t.after(() => engine.close())

    // when
    const { instanceKey } = await engine.createInstance('ending-interrupting-parent')

    // then the thrower did not wait: the child had completed when the parent caught it
    const child = await onlyChild(engine, instanceKey)
    assert.equal(child.status, 'completed')
    const events = await engine.history(instanceKey)
    assert.deepEqual(escalationsOf(events), [['Call', 'LATE', 'OnLate', child.key]])
    assert.deepEqual(completedElements(events), ['Start', 'OnLate', 'Escalated'])
    assert.deepEqual(
      eventsOf(events, 'ElementTerminated').map((e) => e.elementId),
      ['Call'],
    )
    assert.equal((await engine.getInstance(instanceKey))?.status, 'completed')
  })

  it('propagates across a restart on a SQLite file', async (t) => {
    // given a child waiting at Review before it throws, with the engine reopened meanwhile
    const dir = mkdtempSync(join(tmpdir(), 'baton-escalation-'))
    const path = join(dir, 'baton.db')
    const clock = new FakeClock()
    let engine = await open(path, clock)
    const { instanceKey } = await engine.createInstance('reviewed-parent')
    const child = await onlyChild(engine, instanceKey)
    await engine.close()
    engine = await open(path, clock)

    // when Review completes (the child throws LATE) and the engine closes right after
    await completeOnlyTask(engine, child.key)
    await engine.close()
    engine = await open(path, clock)
    t.after(() => engine.close())
    // After the close: hooks run in the order added, and a live engine's files must stay.
    t.after(() => rmSync(dir, { recursive: true, force: true }))

    // then the parent had caught it on its call activity and terminated the child
    assert.equal((await engine.getInstance(child.key))?.status, 'terminated')
    const events = await engine.history(instanceKey)
    assert.deepEqual(escalationsOf(events), [['Call', 'LATE', 'OnLate', child.key]])
    assert.equal((await engine.getInstance(instanceKey))?.status, 'active')
    await completeOnlyTask(engine, instanceKey)
    assert.equal((await engine.getInstance(instanceKey))?.status, 'completed')
    assert.deepEqual(completedElements(await engine.history(instanceKey)), [
      'Start',
      'OnLate',
      'Handle',
      'Handled',
    ])
  })
})
