import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Engine } from '../../src/runtime/engine.ts'
import { engineWith, FakeClock, trail } from '../support/engine-harness.ts'

const ns = `xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" targetNamespace="https://baton.dev/test"`
const flow = (id: string, from: string, to: string, condition?: string): string =>
  `<bpmn:sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}">${condition ? `<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${condition}</bpmn:conditionExpression>` : ''}</bpmn:sequenceFlow>`

/**
 * A fork sends one token straight to an exclusive gateway and one through a slow task to it; the
 * exclusive gateway reaches the inclusive join on two flows, and picks `toA` while `pick` is "a".
 */
const twoWaysIn = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions ${ns} id="Definitions_two_ways"><bpmn:process id="two-ways" isExecutable="true">
  <bpmn:startEvent id="Start" />${flow('f0', 'Start', 'Fork')}
  <bpmn:parallelGateway id="Fork" />${flow('fDirect', 'Fork', 'Choose')}${flow('fSlow', 'Fork', 'Slow')}
  <bpmn:serviceTask id="Slow"><bpmn:extensionElements><zeebe:taskDefinition type="slow" /></bpmn:extensionElements></bpmn:serviceTask>
  ${flow('fSlowDone', 'Slow', 'Choose')}
  <bpmn:exclusiveGateway id="Choose" default="toB" />${flow('toA', 'Choose', 'Join', '=pick = "a"')}${flow('toB', 'Choose', 'Join')}
  <bpmn:inclusiveGateway id="Join" />${flow('fEnd', 'Join', 'End')}
  <bpmn:endEvent id="End" />
</bpmn:process></bpmn:definitions>`

async function completeOne(engine: Engine, type: string): Promise<void> {
  const [job] = await engine.activateJobs({ type, worker: 'test', timeoutMs: 60_000, max: 1 })
  assert.ok(job, `a ${type} job is open`)
  await engine.completeJob(job.key)
}

function joined(lines: readonly string[]): boolean {
  return lines.includes('ElementActivating Gateway_join')
}

describe('engine/inclusive-gateway', () => {
  it('forks into every branch whose condition is true, and not into the default flow', async (t) => {
    // given
    const { engine } = await engineWith('inclusive-checks.bpmn')
    t.after(() => engine.close())

    // when
    const { instanceKey } = await engine.createInstance('inclusive-checks', {
      variables: { amount: 5000, foreign: true },
    })

    // then
    const lines = trail(await engine.history(instanceKey), ['SequenceFlowTaken'])
    assert.deepEqual(lines, [
      'SequenceFlowTaken Flow_start',
      'SequenceFlowTaken Flow_toCredit',
      'SequenceFlowTaken Flow_toFraud',
    ])
  })

  it('waits at the join for a branch that takes longer, until its last element completes', async (t) => {
    // given both checks started; the fraud branch has two tasks
    const { engine } = await engineWith('inclusive-checks.bpmn')
    t.after(() => engine.close())
    const { instanceKey } = await engine.createInstance('inclusive-checks', {
      variables: { amount: 5000, foreign: true },
    })

    // when the credit branch arrives first
    await completeOne(engine, 'credit-check')

    // then the join waits
    assert.equal(joined(trail(await engine.history(instanceKey))), false)

    // when the fraud branch moves on to its second task
    await completeOne(engine, 'fraud-check')

    // then the join still waits: a token can still reach it
    assert.equal(joined(trail(await engine.history(instanceKey))), false)
    assert.equal((await engine.getInstance(instanceKey))?.status, 'active')

    // when the fraud branch arrives
    await completeOne(engine, 'fraud-report')

    // then the join fires once, after both arrived
    const lines = trail(await engine.history(instanceKey), [
      'JoinTokenArrived',
      'JoinTokensConsumed',
      'ElementActivating',
      'ProcessInstanceCompleted',
    ])
    assert.deepEqual(lines.slice(lines.indexOf('JoinTokenArrived Gateway_join Flow_creditDone')), [
      'JoinTokenArrived Gateway_join Flow_creditDone',
      'ElementActivating Task_fraudReport',
      'JoinTokenArrived Gateway_join Flow_fraudDone',
      'JoinTokensConsumed Gateway_join',
      'ElementActivating Gateway_join',
      'ElementActivating EndEvent_1',
      'ProcessInstanceCompleted',
    ])
  })

  it('does not wait at the join for a branch that was not taken', async (t) => {
    // given only the credit check applies
    const { engine } = await engineWith('inclusive-checks.bpmn')
    t.after(() => engine.close())
    const { instanceKey } = await engine.createInstance('inclusive-checks', {
      variables: { amount: 5000, foreign: false },
    })

    // when
    await completeOne(engine, 'credit-check')

    // then
    const lines = trail(await engine.history(instanceKey))
    assert.equal(joined(lines), true)
    assert.equal(lines.includes('ElementActivating Task_fraud'), false)
    assert.equal((await engine.getInstance(instanceKey))?.status, 'completed')
  })

  it('takes the default flow alone when no condition is true, and the join lets it pass', async (t) => {
    // given
    const { engine } = await engineWith('inclusive-checks.bpmn')
    t.after(() => engine.close())

    // when
    const { instanceKey } = await engine.createInstance('inclusive-checks', {
      variables: { amount: 10, foreign: false },
    })

    // then
    const lines = trail(await engine.history(instanceKey), [
      'SequenceFlowTaken',
      'ProcessInstanceCompleted',
    ])
    assert.deepEqual(lines, [
      'SequenceFlowTaken Flow_start',
      'SequenceFlowTaken Flow_toBasic',
      'SequenceFlowTaken Flow_basicDone',
      'SequenceFlowTaken Flow_end',
      'ProcessInstanceCompleted',
    ])
  })

  it('does not wait for a token that can also reach an incoming flow that already has a token', async (t) => {
    // given a token arrived on toA while another one is still in Slow, which may come on toA or toB
    const engine = await Engine.open({ path: ':memory:', durable: false, clock: new FakeClock() })
    t.after(() => engine.close())
    await engine.deploy({ name: 'two-ways.bpmn', xml: twoWaysIn })

    // when
    const { instanceKey } = await engine.createInstance('two-ways', { variables: { pick: 'a' } })

    // then the join fires at once (BPMN: that token does not hold it back) ...
    const only = ['JoinTokenArrived', 'ElementActivating', 'ElementCompleted'] as const
    const before = trail(await engine.history(instanceKey), [...only])
    assert.deepEqual(before.slice(before.indexOf('JoinTokenArrived Join toA')), [
      'JoinTokenArrived Join toA',
      'ElementActivating Join',
      'ElementCompleted Join',
      'ElementActivating End',
      'ElementCompleted End',
    ])
    assert.equal(before.includes('ElementCompleted Slow'), false)

    // ... and once more when the slow token arrives
    await completeOne(engine, 'slow')
    const after = trail(await engine.history(instanceKey), [...only, 'ProcessInstanceCompleted'])
    assert.deepEqual(after.slice(before.length), [
      'ElementCompleted Slow',
      'ElementActivating Choose',
      'ElementCompleted Choose',
      'JoinTokenArrived Join toA',
      'ElementActivating Join',
      'ElementCompleted Join',
      'ElementActivating End',
      'ElementCompleted End',
      'ProcessInstanceCompleted',
    ])
  })

  it('fires as soon as the token it waited for is terminated, before the interrupting path moves on', async (t) => {
    // given one token at the join and one in a task whose timer boundary interrupts it
    const clock = new FakeClock()
    const engine = await Engine.open({ path: ':memory:', durable: false, clock })
    t.after(() => engine.close())
    await engine.deploy({
      name: 'timed-out.bpmn',
      xml: `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions ${ns} id="Definitions_timed_out"><bpmn:process id="timed-out" isExecutable="true">
  <bpmn:startEvent id="Start" />${flow('f0', 'Start', 'Fork')}
  <bpmn:parallelGateway id="Fork" />${flow('fDirect', 'Fork', 'Join')}${flow('fWork', 'Fork', 'Work')}
  <bpmn:serviceTask id="Work"><bpmn:extensionElements><zeebe:taskDefinition type="work" /></bpmn:extensionElements></bpmn:serviceTask>
  ${flow('fWorked', 'Work', 'Join')}
  <bpmn:boundaryEvent id="TooLong" attachedToRef="Work"><bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
  ${flow('fTooLong', 'TooLong', 'Escalate')}<bpmn:endEvent id="Escalate" />
  <bpmn:inclusiveGateway id="Join" />${flow('fEnd', 'Join', 'End')}<bpmn:endEvent id="End" />
</bpmn:process></bpmn:definitions>`,
    })
    const { instanceKey } = await engine.createInstance('timed-out')

    // when the timer interrupts the task
    clock.advance(3_600_001)
    await engine.fireDueTimers()

    // then the join fires at that instant, before the timer's path reaches its end event
    const lines = trail(await engine.history(instanceKey), [
      'ElementActivating',
      'ElementTerminated',
      'JoinTokensConsumed',
    ])
    assert.deepEqual(lines.slice(lines.indexOf('ElementActivating TooLong')), [
      'ElementActivating TooLong',
      'ElementTerminated Work',
      'JoinTokensConsumed Join',
      'ElementActivating Join',
      'ElementActivating Escalate',
      'ElementActivating End',
    ])
  })
})
