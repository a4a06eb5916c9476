import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Variables } from '../../src/engine/types.ts'
import { engineWith } from '../support/engine-harness.ts'

describe('engine/io-mapping', () => {
  it('maps inputs (dotted targets build contexts) into the task and only mapped outputs out of it', async (t) => {
    // given
    const { engine } = await engineWith('io-mapping.bpmn')
    t.after(() => engine.close())
    const seen: Variables[] = []
    engine.worker('ship-order', (job) => {
      seen.push(job.variables)
      return { tracking: { id: 'T-1', cost: 9 } }
    })

    // when
    const { instanceKey } = await engine.createInstance('io-mapping', {
      variables: { customer: { name: 'Ada' }, order: { id: 'o-1', weightKg: 2 } },
    })
    const done = await engine.awaitInstance(instanceKey)

    // then the worker saw the inputs
    assert.equal(seen.length, 1)
    assert.equal(seen[0]?.recipient, 'Ada')
    assert.deepEqual(seen[0]?.shipment, { carrier: 'DHL', grams: 2000 })

    // and the process keeps only the outputs, merged into the existing context by the dotted target
    assert.equal(done.status, 'completed')
    assert.deepEqual(done.state.variables[instanceKey], {
      customer: { name: 'Ada' },
      order: { id: 'o-1', weightKg: 2, trackingId: 'T-1' },
      shippingCost: 10,
    })
  })

  it('maps a value the job did not return to null rather than failing (Camunda semantics)', async (t) => {
    // given a worker that returns no tracking
    const { engine } = await engineWith('io-mapping.bpmn')
    t.after(() => engine.close())
    engine.worker('ship-order', () => ({}))

    // when
    const { instanceKey } = await engine.createInstance('io-mapping', {
      variables: { customer: { name: 'Ada' }, order: { id: 'o-1', weightKg: 2 } },
    })
    const done = await engine.awaitInstance(instanceKey)

    // then missing values map to null (Camunda semantics)
    assert.equal(done.state.variables[instanceKey]?.shippingCost, null)
    assert.deepEqual(done.state.variables[instanceKey]?.order, {
      id: 'o-1',
      weightKg: 2,
      trackingId: null,
    })
  })
})
