import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Engine } from '../../src/runtime/engine.ts'
import { engineWith, trail } from '../support/engine-harness.ts'

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
})
