import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { engineWith, eventsOf, trail } from '../support/engine-harness.ts'

describe('engine/parallel-gateway', () => {
  it('forks into every branch and joins only when every branch has arrived', async (t) => {
    // given
    const { engine } = await engineWith('parallel-fulfilment.bpmn')
    t.after(() => engine.close())
    const { instanceKey } = await engine.createInstance('parallel-fulfilment')
    const [pack] = await engine.activateJobs({
      type: 'pack-goods',
      worker: 'test',
      timeoutMs: 60_000,
      max: 5,
    })
    const [invoice] = await engine.activateJobs({
      type: 'send-invoice',
      worker: 'test',
      timeoutMs: 60_000,
      max: 5,
    })
    assert.ok(pack && invoice)

    // when the first branch arrives
    await engine.completeJob(pack.key, { packed: true })

    // then the join waits
    let events = await engine.history(instanceKey)
    assert.deepEqual(trail(events, ['JoinTokenArrived']), [
      'JoinTokenArrived Gateway_join Flow_packed',
    ])
    assert.equal(trail(events).includes('ElementActivating Gateway_join'), false)
    assert.equal((await engine.getInstance(instanceKey))?.status, 'active')

    // when the second arrives
    await engine.completeJob(invoice.key, { invoiced: true })

    // then the join fires once and the instance completes with both branches' variables
    events = await engine.history(instanceKey)
    assert.deepEqual(trail(events, ['JoinTokenArrived', 'JoinTokensConsumed']), [
      'JoinTokenArrived Gateway_join Flow_packed',
      'JoinTokenArrived Gateway_join Flow_invoiced',
      'JoinTokensConsumed Gateway_join',
    ])
    assert.equal(
      trail(events).filter((line) => line === 'ElementActivating Gateway_join').length,
      1,
    )
    assert.equal(trail(events).filter((line) => line === 'ElementCompleted EndEvent_1').length, 1)
    assert.deepEqual(
      eventsOf(events, 'SequenceFlowTaken')
        .filter((e) => e.sourceId === 'Gateway_fork')
        .map((e) => e.flowId),
      ['Flow_toPack', 'Flow_toInvoice'],
    )
    const record = await engine.getInstance(instanceKey)
    assert.equal(record?.status, 'completed')
    assert.deepEqual(record.state.variables[instanceKey], { packed: true, invoiced: true })
    assert.deepEqual(record.state.joins, {})
  })
})
