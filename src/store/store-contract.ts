/**
 * The Store contract: one node:test suite that every adapter must pass unchanged. It is written
 * only against the Store interface, so it holds for SQLite and PostgreSQL alike.
 *
 * @example
 * ```ts
 * describeStoreContract('sqlite :memory:', () => openSqliteStore({ path: ':memory:' }))
 * ```
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { describeInstanceFilterContract } from './instance-filter-contract.ts'
import { describeStatisticsContract } from './statistics-contract.ts'
import type { EngineEvent, InstanceState, Key } from '../engine/types.ts'
import { contractCommit, contractEventLog, contractJob } from './contract-fixtures.ts'
import {
  ConcurrencyConflictError,
  type CommitBatch,
  type DecisionDefinitionRecord,
  type IncidentRecord,
  type InstanceRecord,
  type JobRecord,
  type ProcessDefinitionRecord,
  type Store,
  type UserTaskRecord,
} from './store.ts'

export interface StoreContractOptions {
  /**
   * For adapters whose data outlives the store object: given a store the suite has closed, opens
   * the same database again. Enables the close-and-reopen tests.
   */
  readonly reopen?: (closed: Store) => Promise<Store>
}

// ---------------------------------------------------------------------------------------------
// Fixtures

const definitionKey = '1'

function instanceState(key: Key, bpmnProcessId: string): InstanceState {
  return {
    key,
    processDefinitionKey: definitionKey,
    bpmnProcessId,
    version: 1,
    status: 'active',
    startedAt: 1000,
    elements: {
      [`${key}1`]: { key: `${key}1`, elementId: 'task', flowScopeKey: key, phase: 'active' },
    },
    variables: { [key]: { amount: 42, customer: { name: 'Ada' }, tags: ['a', 'b'] } },
    joins: {},
    jobs: {},
    userTasks: {},
    incidents: {},
    position: 0,
  }
}

function instance(key: Key, overrides: Partial<InstanceRecord> = {}): InstanceRecord {
  const bpmnProcessId = overrides.bpmnProcessId ?? 'order'
  return {
    key,
    processDefinitionKey: definitionKey,
    bpmnProcessId,
    version: 1,
    status: 'active',
    startedAt: 1000,
    endedAt: null,
    parentKey: null,
    businessKey: null,
    hasIncident: false,
    stateVersion: 1,
    state: instanceState(key, bpmnProcessId),
    ...overrides,
  }
}

function job(key: Key, overrides: Partial<JobRecord> = {}): JobRecord {
  return contractJob(key, {
    processDefinitionKey: definitionKey,
    headers: { region: 'eu' },
    ...overrides,
  })
}

function userTask(key: Key, overrides: Partial<UserTaskRecord> = {}): UserTaskRecord {
  return {
    key,
    instanceKey: '100',
    elementInstanceKey: '101',
    elementId: 'approve',
    name: 'Approve order',
    bpmnProcessId: 'order',
    processDefinitionKey: definitionKey,
    status: 'created',
    assignee: null,
    candidateUsers: [],
    candidateGroups: [],
    dueDate: null,
    followUpDate: null,
    priority: 50,
    formKey: null,
    formId: null,
    createdAt: 1000,
    endedAt: null,
    ...overrides,
  }
}

function incident(key: Key, overrides: Partial<IncidentRecord> = {}): IncidentRecord {
  return {
    key,
    instanceKey: '100',
    elementInstanceKey: '101',
    elementId: 'task',
    bpmnProcessId: 'order',
    processDefinitionKey: definitionKey,
    errorType: 'JOB_NO_RETRIES',
    errorMessage: 'no retries left',
    jobKey: null,
    status: 'active',
    createdAt: 1000,
    resolvedAt: null,
    ...overrides,
  }
}

function definition(key: Key, bpmnProcessId: string, version: number): ProcessDefinitionRecord {
  return {
    key,
    bpmnProcessId,
    version,
    name: `${bpmnProcessId} v${version}`,
    resourceName: `${bpmnProcessId}.bpmn`,
    xml: `<definitions id="${bpmnProcessId}-${version}"/>`,
    contentHash: 'ab'.repeat(32),
    deployedAt: 500 + version,
  }
}

function decision(key: Key, decisionId: string, version: number): DecisionDefinitionRecord {
  return {
    key,
    decisionId,
    version,
    name: version === 1 ? null : `${decisionId} v${version}`,
    decisionRequirementsId: 'rules',
    resourceName: 'rules.dmn',
    xml: `<definitions id="rules" data-version="${version}"/>`,
    contentHash: 'cd'.repeat(32),
    deployedAt: 700 + version,
  }
}

function events(fromPosition: number, count: number, at = 1000): EngineEvent[] {
  return Array.from({ length: count }, (_, index) => ({
    type: 'VariableSet' as const,
    scopeKey: '100',
    name: `v${fromPosition + index}`,
    value: fromPosition + index,
    created: true,
    position: fromPosition + index,
    at,
  }))
}

function batch(parts: Partial<CommitBatch>): CommitBatch {
  return {
    instances: [],
    events: [],
    jobPuts: [],
    jobDeletes: [],
    userTaskPuts: [],
    incidentPuts: [],
    ...parts,
  }
}

function inserts(...records: InstanceRecord[]): CommitBatch {
  return batch({ instances: records.map((record) => ({ record, expectedStateVersion: null })) })
}

function keysOf(records: readonly { readonly key: Key }[]): Key[] {
  return records.map((record) => record.key)
}

function activation(now: number, overrides: Partial<{ types: string[]; max: number }> = {}) {
  return { types: ['charge'], worker: 'w1', timeoutMs: 60_000, now, max: 10, ...overrides }
}

// ---------------------------------------------------------------------------------------------
// The suite

/** Registers the contract's tests for one adapter; `open` must return a fresh, empty store. */
export function describeStoreContract(
  name: string,
  open: () => Promise<Store>,
  options: StoreContractOptions = {},
): void {
  async function withStore(test: (store: Store) => Promise<void>): Promise<void> {
    const store = await open()
    try {
      await test(store)
    } finally {
      await store.close()
    }
  }

  describe(`store contract: ${name}`, () => {
    describe('keys', () => {
      it('reserves consecutive ranges that never overlap', () =>
        withStore(async (store) => {
          const first = await store.reserveKeys(10)
          const second = await store.reserveKeys(5)
          assert.ok(Number.isSafeInteger(first))
          assert.equal(second, first + 10)
          const ranges = await Promise.all(Array.from({ length: 20 }, () => store.reserveKeys(3)))
          const keys = ranges.flatMap((start) => [start, start + 1, start + 2])
          assert.equal(
            new Set([...keys, ...Array.from({ length: 15 }, (_, i) => first + i)]).size,
            75,
          )
        }))

      it('rejects a count that is not a positive integer', () =>
        withStore(async (store) => {
          await assert.rejects(store.reserveKeys(0), RangeError)
          await assert.rejects(store.reserveKeys(1.5), RangeError)
        }))
    })

    describe('process definitions', () => {
      it('lists saved definitions ordered by BPMN process id then version', () =>
        withStore(async (store) => {
          assert.deepEqual(await store.listProcessDefinitions(), [])
          await store.saveProcessDefinitions([
            definition('12', 'order', 2),
            definition('13', 'billing', 1),
          ])
          await store.saveProcessDefinitions([definition('11', 'order', 1)])
          const listed = await store.listProcessDefinitions()
          assert.deepEqual(listed, [
            definition('13', 'billing', 1),
            definition('11', 'order', 1),
            definition('12', 'order', 2),
          ])
        }))

      it('replaces a definition saved again under the same key', () =>
        withStore(async (store) => {
          await store.saveProcessDefinitions([definition('11', 'order', 1)])
          const changed = { ...definition('11', 'order', 1), name: 'Renamed' }
          await store.saveProcessDefinitions([changed])
          assert.deepEqual(await store.listProcessDefinitions(), [changed])
        }))
    })

    describe('decision definitions', () => {
      it('lists saved decisions ordered by decision id then version', () =>
        withStore(async (store) => {
          assert.deepEqual(await store.listDecisionDefinitions(), [])
          await store.saveDecisionDefinitions([decision('22', 'risk', 2), decision('23', 'fee', 1)])
          await store.saveDecisionDefinitions([decision('21', 'risk', 1)])
          assert.deepEqual(await store.listDecisionDefinitions(), [
            decision('23', 'fee', 1),
            decision('21', 'risk', 1),
            decision('22', 'risk', 2),
          ])
        }))

      it('replaces a decision saved again under the same key and keeps processes apart', () =>
        withStore(async (store) => {
          await store.saveProcessDefinitions([definition('11', 'order', 1)])
          await store.saveDecisionDefinitions([decision('21', 'risk', 1)])
          const changed = { ...decision('21', 'risk', 1), name: 'Risk' }
          await store.saveDecisionDefinitions([changed])
          assert.deepEqual(await store.listDecisionDefinitions(), [changed])
          assert.deepEqual(await store.listProcessDefinitions(), [definition('11', 'order', 1)])
        }))

      if (options.reopen !== undefined) {
        const reopen = options.reopen
        it('keeps saved decisions across close and reopen', async () => {
          const store = await open()
          await store.saveDecisionDefinitions([decision('21', 'risk', 1)])
          await store.close()
          const reopened = await reopen(store)
          try {
            assert.deepEqual(await reopened.listDecisionDefinitions(), [decision('21', 'risk', 1)])
          } finally {
            await reopened.close()
          }
        })
      }
    })

    describe('instances', () => {
      it('inserts an instance and loads it back unchanged', () =>
        withStore(async (store) => {
          const record = instance('100', { businessKey: 'order-7', parentKey: '50' })
          await store.commit(inserts(record))
          assert.deepEqual(await store.loadInstance('100'), record)
          assert.equal(await store.loadInstance('999'), undefined)
        }))

      it('updates an instance whose stored version is the expected one', () =>
        withStore(async (store) => {
          await store.commit(inserts(instance('100')))
          const state = {
            ...instanceState('100', 'order'),
            status: 'completed' as const,
            position: 6,
          }
          const updated = instance('100', {
            status: 'completed',
            endedAt: 2000,
            hasIncident: true,
            stateVersion: 2,
            state,
          })
          await store.commit(batch({ instances: [{ record: updated, expectedStateVersion: 1 }] }))
          assert.deepEqual(await store.loadInstance('100'), updated)
        }))

      it('fails a commit with a stale version and writes none of it', () =>
        withStore(async (store) => {
          await store.commit(
            batch({
              instances: [{ record: instance('100'), expectedStateVersion: null }],
              jobPuts: [job('200')],
            }),
          )
          const conflicting = batch({
            instances: [
              { record: instance('300'), expectedStateVersion: null },
              { record: instance('100', { stateVersion: 3 }), expectedStateVersion: 2 },
            ],
            events: [{ instanceKey: '300', fromPosition: 0, events: events(0, 3) }],
            jobPuts: [job('301', { instanceKey: '300' })],
            jobDeletes: ['200'],
            userTaskPuts: [userTask('302', { instanceKey: '300' })],
            incidentPuts: [incident('303', { instanceKey: '300' })],
          })
          await assert.rejects(store.commit(conflicting), (error: unknown) => {
            assert.ok(error instanceof ConcurrencyConflictError)
            assert.equal(error.instanceKey, '100')
            return true
          })
          assert.equal(await store.loadInstance('300'), undefined)
          assert.equal((await store.loadInstance('100'))?.stateVersion, 1)
          assert.deepEqual(await store.readEvents('300'), [])
          assert.equal(await store.getJob('301'), undefined)
          assert.deepEqual(await store.getJob('200'), job('200'))
          assert.equal(await store.getUserTask('302'), undefined)
          assert.equal(await store.getIncident('303'), undefined)
        }))

      it('fails a commit that inserts an instance that already exists', () =>
        withStore(async (store) => {
          await store.commit(inserts(instance('100')))
          await assert.rejects(
            store.commit(inserts(instance('101'), instance('100', { stateVersion: 5 }))),
            ConcurrencyConflictError,
          )
          assert.equal((await store.loadInstance('100'))?.stateVersion, 1)
          assert.equal(await store.loadInstance('101'), undefined)
        }))

      it('fails an update of an instance that does not exist', () =>
        withStore(async (store) => {
          await assert.rejects(
            store.commit(
              batch({ instances: [{ record: instance('100'), expectedStateVersion: 1 }] }),
            ),
            ConcurrencyConflictError,
          )
        }))
    })

    describe('events', () => {
      it('reads an instance log in position order across commits', () =>
        withStore(async (store) => {
          await store.commit(
            batch({
              instances: [{ record: instance('100'), expectedStateVersion: null }],
              events: [{ instanceKey: '100', fromPosition: 0, events: events(0, 4) }],
            }),
          )
          await store.commit(
            batch({
              events: [
                { instanceKey: '100', fromPosition: 4, events: events(4, 2) },
                { instanceKey: '200', fromPosition: 0, events: events(0, 1, 7) },
              ],
            }),
          )
          await store.commit(
            batch({ events: [{ instanceKey: '100', fromPosition: 6, events: events(6, 3) }] }),
          )
          assert.deepEqual(await store.readEvents('100'), events(0, 9))
          assert.deepEqual(await store.readEvents('200'), events(0, 1, 7))
          assert.deepEqual(await store.readEvents('300'), [])
        }))

      it('reads back events of every kind and field as they were committed', () =>
        withStore(async (store) => {
          const log = contractEventLog(0)
          await store.commit(
            contractCommit({
              instances: [{ record: instance('100'), expectedStateVersion: null }],
              events: [{ instanceKey: '100', fromPosition: 0, events: log.slice(0, 3) }],
            }),
          )
          await store.commit(
            contractCommit({
              events: [{ instanceKey: '100', fromPosition: 3, events: log.slice(3) }],
            }),
          )
          assert.deepEqual(await store.readEvents('100'), log)
        }))
    })

    describe('jobs', () => {
      it('puts, replaces and deletes jobs', () =>
        withStore(async (store) => {
          await store.commit(batch({ jobPuts: [job('10'), job('11')] }))
          assert.deepEqual(await store.getJob('10'), job('10'))
          const failed = job('10', { status: 'failed', retries: 0, errorMessage: 'boom' })
          await store.commit(batch({ jobPuts: [failed], jobDeletes: ['11'] }))
          assert.deepEqual(await store.getJob('10'), failed)
          assert.equal(await store.getJob('11'), undefined)
          assert.equal(await store.getJob('12'), undefined)
        }))

      it('activates activatable jobs oldest first and leases them to the worker', () =>
        withStore(async (store) => {
          await store.commit(batch({ jobPuts: [job('30'), job('9'), job('200')] }))
          const activated = await store.activateJobs(activation(5000))
          assert.deepEqual(keysOf(activated), ['9', '30', '200'])
          for (const record of activated) {
            const expected = job(record.key, {
              status: 'activated',
              worker: 'w1',
              deadline: 65_000,
            })
            assert.deepEqual(record, expected)
            assert.deepEqual(await store.getJob(record.key), expected)
          }
          assert.deepEqual(await store.activateJobs(activation(6000)), [])
        }))

      it('respects max, types, retryAt and failed jobs', () =>
        withStore(async (store) => {
          await store.commit(
            batch({
              jobPuts: [
                job('1'),
                job('2', { type: 'ship' }),
                job('3', { retryAt: 9000 }),
                job('4', { status: 'failed', retries: 0 }),
                job('5'),
                job('6'),
              ],
            }),
          )
          assert.deepEqual(keysOf(await store.activateJobs(activation(5000, { max: 2 }))), [
            '1',
            '5',
          ])
          assert.deepEqual(keysOf(await store.activateJobs(activation(5000))), ['6'])
          assert.deepEqual(keysOf(await store.activateJobs(activation(9000))), ['3'])
          assert.deepEqual(
            keysOf(await store.activateJobs(activation(9000, { types: ['ship', 'x'] }))),
            ['2'],
          )
          assert.deepEqual(await store.activateJobs(activation(99_000, { types: [] })), [])
          assert.deepEqual(await store.activateJobs(activation(99_000, { max: 0 })), [])
        }))

      it('chooses the jobs due longest first, whatever their keys', () =>
        withStore(async (store) => {
          const leased = { status: 'activated', worker: 'w0' } as const
          await store.commit(
            batch({
              jobPuts: [
                job('1', { retryAt: 4000 }),
                job('2', { createdAt: 2000 }),
                job('3', { ...leased, deadline: 1500 }),
                job('4', { createdAt: 3000 }),
                job('5', { ...leased, deadline: 1200, retryAt: 6000 }),
                job('6', { ...leased, deadline: 90_000 }),
              ],
            }),
          )
          // Due at 4000, 2000, 1500 and 3000; 5's retry and 6's lease are not due yet.
          assert.deepEqual(keysOf(await store.activateJobs(activation(5000, { max: 2 }))), [
            '2',
            '3',
          ])
          assert.deepEqual(keysOf(await store.activateJobs(activation(5000))), ['1', '4'])
          assert.deepEqual(keysOf(await store.activateJobs(activation(6000))), ['5'])
        }))

      it('offers a job again once its lease has expired', () =>
        withStore(async (store) => {
          await store.commit(batch({ jobPuts: [job('1')] }))
          await store.activateJobs({ ...activation(1000), timeoutMs: 500 })
          assert.deepEqual(await store.activateJobs({ ...activation(1499), worker: 'w2' }), [])
          const again = await store.activateJobs({ ...activation(1500), worker: 'w2' })
          assert.deepEqual(again, [
            job('1', { status: 'activated', worker: 'w2', deadline: 61_500 }),
          ])
        }))

      it('never hands the same job to two concurrent activations', () =>
        withStore(async (store) => {
          const keys = Array.from({ length: 30 }, (_, i) => String(i + 1))
          await store.commit(batch({ jobPuts: keys.map((key) => job(key)) }))
          const results = await Promise.all(
            ['a', 'b', 'c', 'd'].map((worker) =>
              store.activateJobs({ ...activation(5000, { max: 10 }), worker }),
            ),
          )
          const activated = results.flat()
          assert.equal(activated.length, 30)
          assert.equal(new Set(keysOf(activated)).size, 30)
          for (const record of activated) {
            assert.equal((await store.getJob(record.key))?.worker, record.worker)
          }
        }))

      it('releases every lease', () =>
        withStore(async (store) => {
          await store.commit(
            batch({ jobPuts: [job('1'), job('2'), job('3'), job('4', { status: 'failed' })] }),
          )
          await store.activateJobs(activation(1000, { max: 2 }))
          assert.equal(await store.releaseAllJobLeases(), 2)
          assert.deepEqual(await store.getJob('1'), job('1'))
          assert.equal((await store.getJob('4'))?.status, 'failed')
          assert.deepEqual(keysOf(await store.activateJobs(activation(1000))), ['1', '2', '3'])
          assert.equal(await store.releaseAllJobLeases(), 3)
          assert.equal(await store.releaseAllJobLeases(), 0)
        }))

      it('tells when a job of the given types is next due', () =>
        withStore(async (store) => {
          assert.equal(await store.nextJobDueAt(['charge']), null)
          await store.commit(
            batch({
              jobPuts: [
                job('1', { retryAt: 8000 }),
                job('2', { status: 'failed', retryAt: 100 }),
                job('3', { type: 'ship', retryAt: 50 }),
                job('4', { status: 'activated', worker: 'w', deadline: 7000 }),
              ],
            }),
          )
          assert.equal(await store.nextJobDueAt(['charge']), 7000)
          assert.equal(await store.nextJobDueAt(['charge', 'ship']), 50)
          assert.equal(await store.nextJobDueAt(['other']), null)
          assert.equal(await store.nextJobDueAt([]), null)
          await store.commit(batch({ jobPuts: [job('5', { createdAt: 1000 })] }))
          const due = await store.nextJobDueAt(['charge'])
          assert.ok(due !== null && due <= 1000, `an activatable job is due now, got ${due}`)
        }))
    })

    describe('queries', () => {
      it('pages instances in numeric key order', () =>
        withStore(async (store) => {
          const keys = ['2', '10', '9', '100', '1000', '11']
          await store.commit(inserts(...keys.map((key) => instance(key))))
          const first = await store.queryInstances({}, { limit: 4 })
          assert.deepEqual(keysOf(first), ['2', '9', '10', '11'])
          const second = await store.queryInstances({}, { limit: 4, after: '11' })
          assert.deepEqual(keysOf(second), ['100', '1000'])
          assert.deepEqual(await store.queryInstances({}, { after: '1000' }), [])
          assert.deepEqual(first[0], instance('2'))
        }))

      it('pages 100 items by default and at most 1000', () =>
        withStore(async (store) => {
          const records = Array.from({ length: 1001 }, (_, i) => instance(String(i + 1)))
          await store.commit(inserts(...records))
          assert.equal((await store.queryInstances({})).length, 100)
          assert.equal((await store.queryInstances({}, { limit: 5000 })).length, 1000)
          assert.equal(await store.countInstances({}), 1001)
        }))

      it('filters and counts instances', () =>
        withStore(async (store) => {
          await store.commit(
            inserts(
              instance('1'),
              instance('2', { status: 'completed', endedAt: 2000 }),
              instance('3', { bpmnProcessId: 'billing', parentKey: '1' }),
              instance('4', { processDefinitionKey: '77', hasIncident: true }),
              instance('5', { status: 'terminated', parentKey: '1', hasIncident: true }),
            ),
          )
          const cases: [Parameters<Store['queryInstances']>[0], Key[]][] = [
            [{}, ['1', '2', '3', '4', '5']],
            [{ status: 'active' }, ['1', '3', '4']],
            [{ status: 'completed' }, ['2']],
            [{ bpmnProcessId: 'billing' }, ['3']],
            [{ processDefinitionKey: '77' }, ['4']],
            [{ parentKey: '1' }, ['3', '5']],
            [{ hasIncident: true }, ['4', '5']],
            [{ hasIncident: false }, ['1', '2', '3']],
            [{ status: 'active', hasIncident: true }, ['4']],
            [{ bpmnProcessId: 'order', parentKey: '1' }, ['5']],
            [{ bpmnProcessId: 'nope' }, []],
          ]
          for (const [filter, expected] of cases) {
            const label = JSON.stringify(filter)
            assert.deepEqual(keysOf(await store.queryInstances(filter)), expected, label)
            assert.equal(await store.countInstances(filter), expected.length, label)
          }
        }))

      it('filters user tasks, matching candidate groups and users exactly', () =>
        withStore(async (store) => {
          await store.commit(
            batch({
              userTaskPuts: [
                userTask('1', { candidateGroups: ['sales-emea'], candidateUsers: ['ann'] }),
                userTask('2', {
                  candidateGroups: ['presales', 'sales'],
                  candidateUsers: ['annie'],
                }),
                userTask('3', { candidateGroups: ['sales"x', 'hr'], assignee: 'bob' }),
                userTask('4', { status: 'completed', endedAt: 3000, candidateGroups: ['sales'] }),
                userTask('5', {
                  bpmnProcessId: 'billing',
                  instanceKey: '500',
                  candidateUsers: ['ann'],
                }),
              ],
            }),
          )
          assert.deepEqual(
            await store.getUserTask('3'),
            userTask('3', { candidateGroups: ['sales"x', 'hr'], assignee: 'bob' }),
          )
          assert.equal(await store.getUserTask('99'), undefined)
          const cases: [Parameters<Store['queryUserTasks']>[0], Key[]][] = [
            [{}, ['1', '2', '3', '4', '5']],
            [{ candidateGroup: 'sales' }, ['2', '4']],
            [{ candidateGroup: 'sales', status: 'created' }, ['2']],
            [{ candidateGroup: 'sales"x' }, ['3']],
            [{ candidateGroup: 'sal' }, []],
            [{ candidateGroup: '%' }, []],
            [{ candidateUser: 'ann' }, ['1', '5']],
            [{ assignee: 'bob' }, ['3']],
            [{ status: 'completed' }, ['4']],
            [{ bpmnProcessId: 'billing' }, ['5']],
            [{ instanceKey: '500' }, ['5']],
            [{ instanceKey: '100', candidateUser: 'annie' }, ['2']],
          ]
          for (const [filter, expected] of cases) {
            assert.deepEqual(
              keysOf(await store.queryUserTasks(filter)),
              expected,
              JSON.stringify(filter),
            )
          }
          assert.deepEqual(
            keysOf(await store.queryUserTasks({ candidateGroup: 'sales' }, { limit: 1 })),
            ['2'],
          )
          assert.deepEqual(
            keysOf(
              await store.queryUserTasks({ candidateGroup: 'sales' }, { limit: 1, after: '2' }),
            ),
            ['4'],
          )
        }))

      it('filters incidents and sees them resolved', () =>
        withStore(async (store) => {
          await store.commit(
            batch({
              incidentPuts: [
                incident('1', { jobKey: '77' }),
                incident('2', { instanceKey: '200' }),
                incident('3', { bpmnProcessId: 'billing' }),
              ],
            }),
          )
          assert.deepEqual(await store.getIncident('1'), incident('1', { jobKey: '77' }))
          const resolved = incident('2', {
            instanceKey: '200',
            status: 'resolved',
            resolvedAt: 4000,
          })
          await store.commit(batch({ incidentPuts: [resolved] }))
          assert.deepEqual(await store.getIncident('2'), resolved)
          const cases: [Parameters<Store['queryIncidents']>[0], Key[]][] = [
            [{}, ['1', '2', '3']],
            [{ status: 'active' }, ['1', '3']],
            [{ status: 'resolved' }, ['2']],
            [{ instanceKey: '200' }, ['2']],
            [{ bpmnProcessId: 'billing' }, ['3']],
            [{ bpmnProcessId: 'order', status: 'active' }, ['1']],
          ]
          for (const [filter, expected] of cases) {
            assert.deepEqual(
              keysOf(await store.queryIncidents(filter)),
              expected,
              JSON.stringify(filter),
            )
          }
          assert.deepEqual(keysOf(await store.queryIncidents({}, { after: '1', limit: 1 })), ['2'])
        }))
    })

    describe('history retention', () => {
      it('deletes instances that ended before the cutoff, oldest first, with all their data', () =>
        withStore(async (store) => {
          const ended = (key: Key, endedAt: number, status: 'completed' | 'terminated') =>
            instance(key, { status, endedAt })
          await store.commit(
            batch({
              instances: [
                { record: ended('100', 5_000, 'completed'), expectedStateVersion: null },
                { record: ended('110', 1_000, 'terminated'), expectedStateVersion: null },
                { record: ended('120', 3_000, 'completed'), expectedStateVersion: null },
                { record: ended('130', 9_000, 'completed'), expectedStateVersion: null },
                { record: instance('140'), expectedStateVersion: null },
              ],
              events: ['100', '110', '120', '130', '140'].map((instanceKey) => ({
                instanceKey,
                fromPosition: 0,
                events: events(0, 2),
              })),
              jobPuts: [job('200', { instanceKey: '110' }), job('240', { instanceKey: '140' })],
              userTaskPuts: [
                userTask('300', { instanceKey: '100', status: 'completed', endedAt: 5_000 }),
                userTask('340', { instanceKey: '140' }),
              ],
              incidentPuts: [
                incident('400', { instanceKey: '110' }),
                incident('440', { instanceKey: '140' }),
              ],
            }),
          )
          // Two per call, oldest first: 110 (1000) and 120 (3000), then 100 (5000); 130 ended
          // after the cutoff and 140 is still running.
          assert.equal(await store.deleteEndedInstances(6_000, 2), 2)
          assert.equal(await store.loadInstance('110'), undefined)
          assert.equal(await store.loadInstance('120'), undefined)
          assert.ok(await store.loadInstance('100'))
          assert.equal(await store.deleteEndedInstances(6_000, 2), 1)
          assert.equal(await store.deleteEndedInstances(6_000, 2), 0)
          assert.deepEqual(keysOf(await store.queryInstances({})), ['130', '140'])
          for (const key of ['100', '110', '120']) assert.deepEqual(await store.readEvents(key), [])
          assert.deepEqual(await store.readEvents('140'), events(0, 2))
          assert.equal(await store.getJob('200'), undefined)
          assert.ok(await store.getJob('240'))
          assert.deepEqual(keysOf(await store.queryUserTasks({})), ['340'])
          assert.deepEqual(keysOf(await store.queryIncidents({})), ['440'])
          await assert.rejects(store.deleteEndedInstances(6_000, -1), RangeError)
        }))
    })

    const reopen = options.reopen
    if (reopen !== undefined) {
      describe('durability', () => {
        it('keeps every committed record across close and reopen', async () => {
          const store = await open()
          const records = {
            definition: definition('1', 'order', 1),
            instance: instance('100'),
            job: job('200'),
            userTask: userTask('300', { candidateGroups: ['sales'] }),
            incident: incident('400'),
          }
          await store.saveProcessDefinitions([records.definition])
          const firstKey = await store.reserveKeys(10)
          await store.commit(
            batch({
              instances: [{ record: records.instance, expectedStateVersion: null }],
              events: [{ instanceKey: '100', fromPosition: 0, events: events(0, 3) }],
              jobPuts: [records.job],
              userTaskPuts: [records.userTask],
              incidentPuts: [records.incident],
            }),
          )
          await store.close()
          const reopened = await reopen(store)
          try {
            assert.deepEqual(await reopened.listProcessDefinitions(), [records.definition])
            assert.deepEqual(await reopened.loadInstance('100'), records.instance)
            assert.deepEqual(await reopened.readEvents('100'), events(0, 3))
            assert.deepEqual(await reopened.getJob('200'), records.job)
            assert.deepEqual(keysOf(await reopened.queryUserTasks({ candidateGroup: 'sales' })), [
              '300',
            ])
            assert.deepEqual(await reopened.getIncident('400'), records.incident)
            assert.ok(
              (await reopened.reserveKeys(1)) >= firstKey + 10,
              'reserved keys are not reused',
            )
          } finally {
            await reopened.close()
          }
        })
      })
    }
  })
  describeStatisticsContract(name, open)
  describeInstanceFilterContract(name, open)
}
