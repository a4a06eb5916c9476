import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { batonError, engineWith, fixture } from '../support/engine-harness.ts'

describe('engine/bad-input', () => {
  it('refuses to deploy an invalid model, listing each problem with its element', async (t) => {
    // given
    const { engine } = await engineWith()
    t.after(() => engine.close())

    // when / then
    await assert.rejects(
      engine.deploy([{ name: 'orphan.bpmn', xml: fixture('invalid-no-task-definition.bpmn') }]),
      batonError(
        'BATON_MODEL_INVALID',
        /orphan\.bpmn.*Task_orphan.*task-definition-required.*zeebe:taskDefinition/s,
      ),
    )
    assert.deepEqual(engine.processDefinitions(), [])
  })

  it('refuses the whole deployment when one of its files is invalid', async (t) => {
    // given
    const { engine } = await engineWith()
    t.after(() => engine.close())

    // when / then
    await assert.rejects(
      engine.deploy([
        { name: 'fine.bpmn', xml: fixture('none-start-end.bpmn') },
        { name: 'orphan.bpmn', xml: fixture('invalid-no-task-definition.bpmn') },
      ]),
      batonError('BATON_MODEL_INVALID', /orphan\.bpmn/),
    )
    assert.deepEqual(engine.processDefinitions(), [])
  })

  it('refuses to complete a job that does not exist', async (t) => {
    // given
    const { engine } = await engineWith('charge-card.bpmn')
    t.after(() => engine.close())

    // when / then
    await assert.rejects(
      engine.completeJob('2251799813685999'),
      batonError('BATON_JOB_NOT_FOUND', /2251799813685999/),
    )
    await assert.rejects(
      engine.completeJob('not-a-key'),
      batonError('BATON_JOB_NOT_FOUND', /not-a-key/),
    )
  })

  it('refuses to complete a job twice', async (t) => {
    // given
    const { engine } = await engineWith('charge-card.bpmn')
    t.after(() => engine.close())
    const { instanceKey } = await engine.createInstance('charge-card')
    const [job] = await engine.activateJobs({
      type: 'charge-card',
      worker: 'test',
      timeoutMs: 1000,
      max: 1,
    })
    assert.ok(job)
    await engine.completeJob(job.key)

    // when / then
    await assert.rejects(
      engine.completeJob(job.key),
      batonError('BATON_JOB_NOT_FOUND', new RegExp(job.key)),
    )
    const completions = (await engine.history(instanceKey)).filter((e) => e.type === 'JobCompleted')
    assert.equal(completions.length, 1)
  })

  it('refuses to complete a user task that is already completed', async (t) => {
    // given
    const { engine } = await engineWith('versioned-v1.bpmn')
    t.after(() => engine.close())
    const { instanceKey } = await engine.createInstance('versioned-approval')
    const [task] = await engine.userTasks({ instanceKey })
    assert.ok(task)
    await engine.completeUserTask(task.key)

    // when / then
    await assert.rejects(
      engine.completeUserTask(task.key),
      batonError('BATON_USER_TASK_NOT_ACTIVE', new RegExp(`${task.key}.*completed`)),
    )
    await assert.rejects(
      engine.claimUserTask(task.key, 'sam'),
      batonError('BATON_USER_TASK_NOT_ACTIVE', /completed/),
    )
    await assert.rejects(
      engine.completeUserTask('123'),
      batonError('BATON_USER_TASK_NOT_FOUND', /123/),
    )
  })

  it('refuses to start a process that is not deployed, or a version that does not exist', async (t) => {
    // given
    const { engine } = await engineWith('none-start-end.bpmn')
    t.after(() => engine.close())

    // when / then
    await assert.rejects(
      engine.createInstance('no-such-process'),
      batonError('BATON_PROCESS_NOT_FOUND', /'no-such-process'.*deploy/),
    )
    await assert.rejects(
      engine.createInstance('none-start-end', { version: 7 }),
      batonError('BATON_PROCESS_NOT_FOUND', /'none-start-end' version 7/),
    )
    assert.deepEqual(await engine.instances(), [])
  })

  it('refuses variables that are not a JSON object', async (t) => {
    // given
    const { engine } = await engineWith('none-start-end.bpmn', 'versioned-v1.bpmn')
    t.after(() => engine.close())
    const { instanceKey } = await engine.createInstance('versioned-approval')
    const [task] = await engine.userTasks({ instanceKey })
    assert.ok(task)

    // when / then
    for (const variables of [[1, 2], 'amount=1', 42, null]) {
      await assert.rejects(
        engine.createInstance('none-start-end', { variables: variables as never }),
        batonError('BATON_VARIABLES_INVALID', /JSON object/),
      )
    }
    await assert.rejects(
      engine.completeUserTask(task.key, [] as never),
      batonError('BATON_VARIABLES_INVALID', /JSON object, got \[\]/),
    )
    await assert.rejects(
      engine.setVariables(instanceKey, 'x' as never),
      batonError('BATON_VARIABLES_INVALID', /"x"/),
    )
    assert.equal((await engine.instances({ bpmnProcessId: 'none-start-end' })).length, 0)
    assert.equal((await engine.getUserTask(task.key))?.status, 'created')
  })

  it('refuses operations on instances and incidents that do not exist', async (t) => {
    // given
    const { engine } = await engineWith('none-start-end.bpmn')
    t.after(() => engine.close())

    // when / then
    await assert.rejects(
      engine.cancelInstance('404'),
      batonError('BATON_INSTANCE_NOT_FOUND', /404/),
    )
    await assert.rejects(engine.history('404'), batonError('BATON_INSTANCE_NOT_FOUND', /404/))
    await assert.rejects(
      engine.resolveIncident('404'),
      batonError('BATON_INCIDENT_NOT_FOUND', /404/),
    )
  })
})
