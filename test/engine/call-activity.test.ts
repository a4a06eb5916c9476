import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { engineWith, eventsOf } from '../support/engine-harness.ts'

describe('engine/call-activity', () => {
  it('calls the process a FEEL expression names; variables flow down and all child variables flow back', async (t) => {
    // given
    const { engine } = await engineWith('call-child.bpmn', 'call-parent.bpmn')
    t.after(() => engine.close())

    // when
    const { instanceKey } = await engine.createInstance('call-parent', {
      variables: { childProcessId: 'call-child', quantity: 3, order: { id: 'o-1' } },
    })

    // then two child instances ran and completed
    const done = await engine.awaitInstance(instanceKey)
    assert.equal(done.status, 'completed')
    const children = await engine.instances({ parentKey: instanceKey })
    assert.equal(children.length, 2)
    assert.ok(
      children.every(
        (child) => child.bpmnProcessId === 'call-child' && child.status === 'completed',
      ),
    )
    const created = eventsOf(await engine.history(instanceKey), 'ChildInstanceCreated')
    assert.deepEqual(
      created.map((e) => e.childInstanceKey).sort(),
      children.map((c) => c.key).sort(),
    )
    const [first, second] = created.map((e) => children.find((c) => c.key === e.childInstanceKey))
    assert.ok(first && second)

    // the first call got every parent variable and gave back every child variable
    assert.deepEqual(first.state.variables[first.key], {
      childProcessId: 'call-child',
      quantity: 3,
      order: { id: 'o-1' },
      total: 30,
      childNote: 'computed by child',
    })
    // the second call got its input mapping (quantity + 1) and gave back only the mapped output
    assert.equal(second.state.variables[second.key]?.quantity, 4)
    assert.equal(second.state.variables[second.key]?.total, 40)
    assert.deepEqual(done.state.variables[instanceKey], {
      childProcessId: 'call-child',
      quantity: 3,
      order: { id: 'o-1', secondTotal: 40 },
      total: 30,
      childNote: 'computed by child',
    })
  })

  it('raises an incident when the called process is not deployed', async (t) => {
    // given
    const { engine } = await engineWith('call-parent.bpmn')
    t.after(() => engine.close())

    // when
    const { instanceKey } = await engine.createInstance('call-parent', {
      variables: { childProcessId: 'no-such-child', quantity: 1 },
    })

    // then
    const [incident] = await engine.incidents({ instanceKey })
    assert.ok(incident)
    assert.equal(incident.errorType, 'CALLED_ELEMENT_ERROR')
    assert.equal(incident.elementId, 'Call_all')
    assert.match(incident.errorMessage, /no-such-child/)
    assert.equal((await engine.instances({ parentKey: instanceKey })).length, 0)
  })

  it('waits for a called instance that waits, and cancels it when the parent is cancelled', async (t) => {
    // given a parent calling a child that waits at a user task
    const { engine } = await engineWith('call-parent.bpmn', 'versioned-v1.bpmn')
    t.after(() => engine.close())
    const { instanceKey } = await engine.createInstance('call-parent', {
      variables: { childProcessId: 'versioned-approval', quantity: 1 },
    })
    const [child] = await engine.instances({ parentKey: instanceKey })
    assert.ok(child)
    assert.equal(child.status, 'active')
    const [task] = await engine.userTasks({ instanceKey: child.key })
    assert.ok(task)

    // when a called instance is cancelled on its own, it is refused
    await assert.rejects(
      engine.cancelInstance(child.key),
      (error: { code?: string }) => error.code === 'BATON_INSTANCE_CANCEL_CHILD',
    )

    // when the parent is cancelled
    await engine.cancelInstance(instanceKey)

    // then the child is terminated too and its task cancelled
    assert.equal((await engine.getInstance(instanceKey))?.status, 'terminated')
    assert.equal((await engine.getInstance(child.key))?.status, 'terminated')
    assert.equal((await engine.getUserTask(task.key))?.status, 'canceled')
    const childEvents = await engine.history(child.key)
    assert.equal(childEvents.at(-1)?.type, 'ProcessInstanceTerminated')
  })
})
