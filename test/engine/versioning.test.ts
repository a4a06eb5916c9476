import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { completedElements, engineWith, fixture } from '../support/engine-harness.ts'

const v1 = { name: 'versioned.bpmn', xml: fixture('versioned-v1.bpmn') }
const v2 = { name: 'versioned.bpmn', xml: fixture('versioned-v2.bpmn') }

describe('engine/versioning', () => {
  it('deploys the same XML twice as one version', async (t) => {
    // given
    const { engine } = await engineWith()
    t.after(() => engine.close())
    const [first] = await engine.deploy([v1])

    // when
    const [again] = await engine.deploy([v1])

    // then
    assert.ok(first && again)
    assert.deepEqual([first.version, first.isNew], [1, true])
    assert.deepEqual([again.version, again.isNew, again.key], [1, false, first.key])
    assert.equal(engine.processDefinitions().length, 1)
  })

  it('deploys changed XML as version 2; new instances use it, running ones stay on version 1', async (t) => {
    // given an instance of version 1 waiting at its user task
    const { engine } = await engineWith()
    t.after(() => engine.close())
    const [one] = await engine.deploy([v1])
    const onV1 = await engine.createInstance('versioned-approval')

    // when version 2 is deployed
    const [two] = await engine.deploy([v2])

    // then
    assert.ok(one && two)
    assert.deepEqual([two.bpmnProcessId, two.version, two.isNew], ['versioned-approval', 2, true])
    assert.notEqual(two.key, one.key)
    assert.deepEqual(
      engine.processDefinitions().map((d) => d.version),
      [1, 2],
    )

    // when new instances start, by default and with version 1 explicitly
    const onV2 = await engine.createInstance('versioned-approval')
    const explicitV1 = await engine.createInstance('versioned-approval', { version: 1 })

    // then
    assert.deepEqual([onV1.version, onV2.version, explicitV1.version], [1, 2, 1])
    assert.equal(explicitV1.processDefinitionKey, one.key)
    assert.equal((await engine.getInstance(onV2.instanceKey))?.processDefinitionKey, two.key)

    // when each completes its user task
    for (const { instanceKey } of [onV1, onV2, explicitV1]) {
      const [task] = await engine.userTasks({ instanceKey })
      assert.ok(task)
      await engine.completeUserTask(task.key)
    }

    // then the version 1 instances completed on version 1's model, without the step added in version 2
    assert.deepEqual(completedElements(await engine.history(onV1.instanceKey)), [
      'StartEvent_1',
      'Task_approve',
      'EndEvent_1',
    ])
    assert.deepEqual(completedElements(await engine.history(explicitV1.instanceKey)), [
      'StartEvent_1',
      'Task_approve',
      'EndEvent_1',
    ])
    assert.deepEqual(completedElements(await engine.history(onV2.instanceKey)), [
      'StartEvent_1',
      'Task_approve',
      'Task_archive',
      'EndEvent_1',
    ])
    for (const { instanceKey } of [onV1, onV2, explicitV1]) {
      assert.equal((await engine.getInstance(instanceKey))?.status, 'completed')
    }
  })
})
