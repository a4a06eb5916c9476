import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { engineWith } from '../support/engine-harness.ts'

describe('runtime/retention', () => {
  it('deletes the history of instances that ended more than the given days ago', async () => {
    // Given an instance that completes today and one still waiting on its job
    const { engine, clock } = await engineWith('none-start-end.bpmn', 'charge-card.bpmn')
    try {
      const done = await engine.createInstance('none-start-end')
      const waiting = await engine.createInstance('charge-card')
      assert.equal((await engine.getInstance(done.instanceKey))?.status, 'completed')
      // When retention of 30 days runs after 10 days, nothing has aged enough
      clock.advance(10 * 86_400_000)
      assert.equal(await engine.deleteHistory(30), 0)
      assert.ok(await engine.getInstance(done.instanceKey))
      // and after 31 days the completed instance and its audit trail are gone
      clock.advance(21 * 86_400_000)
      assert.equal(await engine.deleteHistory(30), 1)
      assert.equal(await engine.getInstance(done.instanceKey), undefined)
      await assert.rejects(engine.history(done.instanceKey), { code: 'BATON_INSTANCE_NOT_FOUND' })
      // Then the running instance is untouched, however old
      assert.equal((await engine.getInstance(waiting.instanceKey))?.status, 'active')
      assert.ok((await engine.history(waiting.instanceKey)).length > 0)
    } finally {
      await engine.close()
    }
  })
})
