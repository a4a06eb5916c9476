import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { completedElements, engineWith, eventsOf } from '../support/engine-harness.ts'

describe('engine/sub-process', () => {
  it('runs an embedded subprocess in its own scope; its local variables disappear when it completes', async (t) => {
    // given the subprocess maps `doubled` in locally and waits at a user task inside
    const { engine } = await engineWith('subprocess-scope.bpmn')
    t.after(() => engine.close())
    const { instanceKey } = await engine.createInstance('subprocess-scope', {
      variables: { amount: 21 },
    })
    const [task] = await engine.userTasks({ instanceKey, status: 'created' })
    assert.ok(task)

    // then while it runs, `doubled` lives in the subprocess scope only and the script saw it
    const running = await engine.getInstance(instanceKey)
    assert.ok(running)
    const sub = Object.values(running.state.elements).find(
      (e) => e.elementId === 'SubProcess_review',
    )
    assert.ok(sub)
    assert.equal(running.state.elements[task.elementInstanceKey]?.flowScopeKey, sub.key)
    assert.deepEqual(running.state.variables[sub.key], { doubled: 42 })
    assert.deepEqual(running.state.variables[instanceKey], { amount: 21, score: 43 })

    // when the inner task completes, updating the local variable and adding a new one
    await engine.completeUserTask(task.key, { doubled: 0, inspected: true })

    // then the subprocess completes, then the process; the local variable is gone
    const done = await engine.getInstance(instanceKey)
    assert.equal(done?.status, 'completed')
    assert.deepEqual(done.state.variables[instanceKey], { amount: 21, score: 43, inspected: true })
    assert.equal(done.state.variables[sub.key], undefined)
    const events = await engine.history(instanceKey)
    assert.deepEqual(completedElements(events), [
      'StartEvent_1',
      'StartEvent_inner',
      'Task_score',
      'Task_inspect',
      'EndEvent_inner',
      'SubProcess_review',
      'EndEvent_1',
    ])
    const doubledWrites = eventsOf(events, 'VariableSet').filter((e) => e.name === 'doubled')
    assert.deepEqual(
      doubledWrites.map((e) => [e.scopeKey, e.value]),
      [
        [sub.key, 42],
        [sub.key, 0],
      ],
    )
  })
})
