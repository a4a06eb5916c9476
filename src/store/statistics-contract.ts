/**
 * The StatisticsStore half of the store contract: every adapter adds commit deltas to the same
 * counters and answers the three queries alike. Registered by describeStoreContract.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Key } from '../engine/types.ts'
import type { ElementStatisticsDelta } from './statistics.ts'
import { durationBucket, quantileOfBuckets } from './statistics.ts'
import { contractCommit, contractInstance } from './contract-fixtures.ts'
import type { IncidentRecord, Store } from './store.ts'

function definition(key: Key, bpmnProcessId: string, version: number) {
  return {
    key,
    bpmnProcessId,
    version,
    name: null,
    resourceName: `${bpmnProcessId}.bpmn`,
    xml: '<definitions/>',
    contentHash: 'ef'.repeat(32),
    deployedAt: 1,
  }
}

function incident(key: Key, overrides: Partial<IncidentRecord>): IncidentRecord {
  return {
    key,
    instanceKey: '100',
    elementInstanceKey: '101',
    elementId: 'charge',
    bpmnProcessId: 'order',
    processDefinitionKey: '1',
    errorType: 'JOB_NO_RETRIES',
    errorMessage: 'card declined',
    jobKey: null,
    status: 'active',
    createdAt: 1000,
    resolvedAt: null,
    ...overrides,
  }
}

function delta(
  elementId: string,
  counts: Partial<Pick<ElementStatisticsDelta, 'entered' | 'completed' | 'terminated'>>,
  durations: readonly number[] = [],
  processDefinitionKey: Key = '1',
): ElementStatisticsDelta {
  const buckets = new Map<number, number>()
  for (const ms of durations) {
    buckets.set(durationBucket(ms), (buckets.get(durationBucket(ms)) ?? 0) + 1)
  }
  return {
    processDefinitionKey,
    elementId,
    entered: counts.entered ?? 0,
    completed: counts.completed ?? durations.length,
    terminated: counts.terminated ?? 0,
    durationTotalMs: durations.reduce((sum, ms) => sum + ms, 0),
    durationBuckets: [...buckets],
  }
}

export function describeStatisticsContract(name: string, open: () => Promise<Store>): void {
  async function withStore(test: (store: Store) => Promise<void>): Promise<void> {
    const store = await open()
    try {
      await test(store)
    } finally {
      await store.close()
    }
  }

  describe(`statistics contract: ${name}`, () => {
    it('adds every commit to the element counters and duration histograms', () =>
      withStore(async (store) => {
        await store.commit(
          contractCommit({
            instances: [{ record: contractInstance('100', '1'), expectedStateVersion: null }],
            elementStatistics: [
              delta('charge', { entered: 3 }, [10, 20]),
              delta('ship', { entered: 1, terminated: 1 }),
            ],
          }),
        )
        await store.commit(
          contractCommit({
            instances: [{ record: contractInstance('101', '1'), expectedStateVersion: null }],
            incidentPuts: [incident('900', {}), incident('901', { status: 'resolved' })],
            elementStatistics: [
              delta('charge', { entered: 1 }, [20, 1000]),
              delta('ship', {}, [], '2'),
            ],
          }),
        )
        const records = await store.elementStatistics('1')
        assert.deepEqual(
          records.map(({ durationBuckets: _buckets, ...rest }) => rest),
          [
            {
              elementId: 'charge',
              entered: 4,
              completed: 4,
              terminated: 0,
              durationTotalMs: 1050,
              incidents: 1,
            },
            {
              elementId: 'ship',
              entered: 1,
              completed: 0,
              terminated: 1,
              durationTotalMs: 0,
              incidents: 0,
            },
          ],
        )
        const charge = records[0]?.durationBuckets ?? []
        const counted = new Map(charge.map(([bucket, count]) => [bucket, count]))
        assert.equal(counted.get(durationBucket(20)), 2)
        assert.equal(counted.get(durationBucket(1000)), 1)
        const p95 = quantileOfBuckets(charge, 0.95) ?? 0
        assert.ok(p95 > 900 && p95 < 1100, `p95 ${p95} is about 1000 ms`)
        assert.deepEqual(await store.elementStatistics('3'), [])
        assert.deepEqual(await store.elementStatistics('not a key'), [])
      }))

    it('counts instances per process version: active from the instances, ended from the counters', () =>
      withStore(async (store) => {
        await store.saveProcessDefinitions([
          definition('1', 'order', 1),
          definition('2', 'order', 2),
        ])
        await store.commit(
          contractCommit({
            instances: [
              {
                record: contractInstance('100', '1', {}, { startedAt: 1000 }),
                expectedStateVersion: null,
              },
              {
                record: contractInstance('101', '1', {}, { startedAt: 5000, hasIncident: true }),
                expectedStateVersion: null,
              },
              {
                record: contractInstance('102', '2', {}, { status: 'completed', endedAt: 6000 }),
                expectedStateVersion: null,
              },
            ],
            elementStatistics: [
              // The process itself counts under its id; its elements do not count as instances.
              delta('order', { entered: 2 }, [], '1'),
              delta('order', { entered: 3, terminated: 1 }, [5000, 7000], '2'),
              delta('charge', { entered: 9 }, [1, 2, 3], '2'),
            ],
          }),
        )
        assert.deepEqual(await store.processDefinitionStatistics(2000), [
          {
            processDefinitionKey: '1',
            active: 2,
            completed: 0,
            terminated: 0,
            withIncidents: 1,
            waitingSince: 1,
          },
          {
            processDefinitionKey: '2',
            active: 0,
            completed: 2,
            terminated: 1,
            withIncidents: 0,
            waitingSince: 0,
          },
        ])
      }))

    it('groups open incidents by error, largest group first', () =>
      withStore(async (store) => {
        await store.commit(
          contractCommit({
            incidentPuts: [
              incident('900', { processDefinitionKey: '7' }),
              incident('901', { processDefinitionKey: '3' }),
              incident('902', { processDefinitionKey: '3' }),
              incident('903', { errorType: 'EXTRACT_VALUE_ERROR', errorMessage: 'no x' }),
              incident('904', { status: 'resolved', errorMessage: 'gone' }),
            ],
          }),
        )
        assert.deepEqual(await store.incidentGroups(10), [
          {
            errorType: 'JOB_NO_RETRIES',
            errorMessage: 'card declined',
            count: 3,
            processDefinitionKeys: ['3', '7'],
          },
          {
            errorType: 'EXTRACT_VALUE_ERROR',
            errorMessage: 'no x',
            count: 1,
            processDefinitionKeys: ['1'],
          },
        ])
        assert.equal((await store.incidentGroups(1)).length, 1)
      }))
  })
}
