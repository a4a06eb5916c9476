import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { completedElements, engineWith } from '../support/engine-harness.ts'

describe('engine/activity-outgoing', () => {
  it('takes the default flow of an activity when no conditional flow is true, besides its unconditional flows', async (t) => {
    // given a task with a conditional, a default and an unconditional outgoing flow
    const { engine } = await engineWith('activity-default-flow.bpmn')
    t.after(() => engine.close())

    // when the condition is false
    const { instanceKey } = await engine.createInstance('activity-default', {
      variables: { flag: false },
    })

    // then the default and the unconditional flow are both taken
    const ends = completedElements(await engine.history(instanceKey)).filter((id) =>
      id.startsWith('End'),
    )
    assert.deepEqual(ends.sort(), ['EndAlways', 'EndDefault'])
  })

  it('skips the default flow of an activity when a conditional flow is true', async (t) => {
    const { engine } = await engineWith('activity-default-flow.bpmn')
    t.after(() => engine.close())

    const { instanceKey } = await engine.createInstance('activity-default', {
      variables: { flag: true },
    })

    const ends = completedElements(await engine.history(instanceKey)).filter((id) =>
      id.startsWith('End'),
    )
    assert.deepEqual(ends.sort(), ['EndAlways', 'EndConditional'])
  })
})
