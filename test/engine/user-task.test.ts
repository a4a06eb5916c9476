import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { batonError, engineWith, eventsOf, trail } from '../support/engine-harness.ts'

const expense = {
  submitter: { name: 'Sam', manager: 'mia' },
  dueAt: '2030-01-05T17:00:00Z',
  payerGroups: ['accounts'],
  amount: 1500,
}

describe('engine/user-task', () => {
  it('creates the task with assignee, candidate groups, due date, priority and form from the model', async (t) => {
    // given
    const { engine } = await engineWith('approve-expense.bpmn')
    t.after(() => engine.close())

    // when
    const { instanceKey } = await engine.createInstance('approve-expense', { variables: expense })

    // then
    const [task, ...others] = await engine.userTasks({ instanceKey })
    assert.equal(others.length, 0)
    assert.ok(task)
    assert.deepEqual(
      {
        elementId: task.elementId,
        name: task.name,
        status: task.status,
        assignee: task.assignee,
        candidateGroups: task.candidateGroups,
        candidateUsers: task.candidateUsers,
        dueDate: task.dueDate,
        priority: task.priority,
        formKey: task.formKey,
      },
      {
        elementId: 'Task_review',
        name: 'Review expense',
        status: 'created',
        assignee: 'mia',
        candidateGroups: ['finance', 'managers'],
        candidateUsers: [],
        dueDate: '2030-01-05T17:00:00Z',
        priority: 80,
        formKey: 'expense-review',
      },
    )
    const created = eventsOf(await engine.history(instanceKey), 'UserTaskCreated')
    assert.equal(created.length, 1)
    assert.equal(created[0]?.userTaskKey, task.key)
  })

  it('finds tasks by candidate group and by assignee', async (t) => {
    // given
    const { engine } = await engineWith('approve-expense.bpmn')
    t.after(() => engine.close())
    const { instanceKey } = await engine.createInstance('approve-expense', { variables: expense })
    const other = await engine.createInstance('approve-expense', {
      variables: { ...expense, submitter: { manager: 'max' } },
    })

    // when / then
    assert.equal((await engine.userTasks({ candidateGroup: 'finance' })).length, 2)
    assert.equal((await engine.userTasks({ candidateGroup: 'sales' })).length, 0)
    assert.deepEqual(
      (await engine.userTasks({ assignee: 'mia' })).map((task) => task.instanceKey),
      [instanceKey],
    )
    assert.deepEqual(
      (await engine.userTasks({ assignee: 'max' })).map((task) => task.instanceKey),
      [other.instanceKey],
    )
  })

  it('refuses to claim a task held by someone else; after unclaim anyone can claim it', async (t) => {
    // given a task assigned to mia
    const { engine } = await engineWith('approve-expense.bpmn')
    t.after(() => engine.close())
    const { instanceKey } = await engine.createInstance('approve-expense', { variables: expense })
    const [task] = await engine.userTasks({ instanceKey })
    assert.ok(task)

    // when sam claims it, then it is refused, naming who holds it
    await assert.rejects(
      engine.claimUserTask(task.key, 'sam'),
      batonError('BATON_USER_TASK_ALREADY_ASSIGNED', /'mia'.*unclaim/),
    )
    assert.equal((await engine.getUserTask(task.key))?.assignee, 'mia')

    // when mia claims it again, then nothing changes but it is allowed
    await engine.claimUserTask(task.key, 'mia')

    // when it is unclaimed and sam claims it
    await engine.unclaimUserTask(task.key)
    assert.equal((await engine.getUserTask(task.key))?.assignee, null)
    await engine.claimUserTask(task.key, 'sam')

    // then
    assert.equal((await engine.getUserTask(task.key))?.assignee, 'sam')
    assert.deepEqual(
      (await engine.userTasks({ assignee: 'sam' })).map((found) => found.key),
      [task.key],
    )
    const assigned = eventsOf(await engine.history(instanceKey), 'UserTaskAssigned').map(
      (e) => e.assignee,
    )
    assert.deepEqual(assigned, ['mia', null, 'sam'])
  })

  it('completes with variables; the next task takes its candidates, due date and priority from FEEL', async (t) => {
    // given
    const { engine, clock } = await engineWith('approve-expense.bpmn')
    t.after(() => engine.close())
    const { instanceKey } = await engine.createInstance('approve-expense', { variables: expense })
    const [review] = await engine.userTasks({ instanceKey })
    assert.ok(review)

    // when
    await engine.completeUserTask(review.key, { approved: true, comment: 'fine' })

    // then the review is completed and the payment task is open for the accounts group and erin
    assert.equal((await engine.getUserTask(review.key))?.status, 'completed')
    const [pay] = await engine.userTasks({ instanceKey, status: 'created' })
    assert.ok(pay)
    assert.equal(pay.elementId, 'Task_pay')
    assert.equal(pay.assignee, null)
    assert.deepEqual(pay.candidateGroups, ['accounts'])
    assert.deepEqual(pay.candidateUsers, ['erin'])
    assert.equal(pay.priority, 90)
    // FEEL now() reads the engine's clock (the fake one here), not the wall clock
    assert.equal(clock.now(), Date.UTC(2030, 0, 1, 9))
    assert.equal(pay.dueDate, '2030-01-03T09:00:00Z')
    assert.deepEqual(
      (await engine.userTasks({ candidateGroup: 'accounts' })).map((task) => task.key),
      [pay.key],
    )
    assert.deepEqual(
      (await engine.userTasks({ candidateUser: 'erin' })).map((task) => task.key),
      [pay.key],
    )

    // when
    await engine.claimUserTask(pay.key, 'erin')
    await engine.completeUserTask(pay.key, { paid: true })

    // then
    const done = await engine.getInstance(instanceKey)
    assert.equal(done?.status, 'completed')
    assert.deepEqual(done.state.variables[instanceKey], {
      ...expense,
      approved: true,
      comment: 'fine',
      paid: true,
    })
    assert.deepEqual(
      trail(await engine.history(instanceKey), [
        'UserTaskCreated',
        'UserTaskAssigned',
        'UserTaskCompleted',
        'ProcessInstanceCompleted',
      ]),
      [
        'UserTaskCreated',
        'UserTaskCompleted',
        'UserTaskCreated',
        'UserTaskAssigned',
        'UserTaskCompleted',
        'ProcessInstanceCompleted',
      ],
    )
  })
})
