/**
 * The instance search filters of the store contract: times, business key, version, and
 * conditions on root variables. Registered by describeStoreContract.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Key } from '../engine/types.ts'
import { contractCommit, contractInstance } from './contract-fixtures.ts'
import type { InstanceFilter, Store, VariableCondition } from './store.ts'

const records = [
  contractInstance(
    '100',
    '1',
    {
      amount: 500,
      customer: { tier: 'gold', name: 'Ada' },
      vip: true,
      note: null,
      due: '2030-01-05',
    },
    { businessKey: 'A-1', startedAt: 1000 },
  ),
  contractInstance(
    '101',
    '1',
    { amount: 1500, customer: { tier: 'silver' }, vip: false, due: '2030-02-01' },
    { businessKey: 'A-2', startedAt: 2000, version: 2 },
  ),
  contractInstance(
    '102',
    '1',
    { amount: '3000', customer: { tier: 'gold' }, tags: ['x', 'y'] },
    { startedAt: 3000 },
  ),
]

export function describeInstanceFilterContract(name: string, open: () => Promise<Store>): void {
  describe(`instance filter contract: ${name}`, () => {
    let store: Store
    const keys = async (filter: InstanceFilter): Promise<Key[]> => {
      const found = (await store.queryInstances(filter)).map((record) => record.key)
      assert.equal(await store.countInstances(filter), found.length, 'count agrees with the query')
      return found
    }
    const where = (...variables: VariableCondition[]): Promise<Key[]> => keys({ variables })

    it('filters on root variables by type and value, nested paths included', async () => {
      store = await open()
      try {
        await store.commit(
          contractCommit({
            instances: records.map((record) => ({ record, expectedStateVersion: null })),
          }),
        )
        assert.deepEqual(await where({ name: 'amount', operator: 'gt', value: 1000 }), ['101'])
        assert.deepEqual(await where({ name: 'amount', operator: 'eq', value: 500 }), ['100'])
        assert.deepEqual(await where({ name: 'amount', operator: 'eq', value: '3000' }), ['102'])
        assert.deepEqual(await where({ name: 'amount', operator: 'lte', value: 1500 }), [
          '100',
          '101',
        ])
        const tier = (operator: VariableCondition['operator'], value: string) =>
          where({ name: 'customer', path: ['tier'], operator, value })
        assert.deepEqual(await tier('eq', 'gold'), ['100', '102'])
        assert.deepEqual(await tier('neq', 'gold'), ['101'])
        assert.deepEqual(
          await where({
            name: 'customer',
            path: ['tier'],
            operator: 'in',
            values: ['silver', 'x'],
          }),
          ['101'],
        )
        assert.deepEqual(await where({ name: 'note', operator: 'exists' }), ['100'])
        assert.deepEqual(await where({ name: 'customer', path: ['name'], operator: 'exists' }), [
          '100',
        ])
        assert.deepEqual(await where({ name: 'vip', operator: 'eq', value: true }), ['100'])
        assert.deepEqual(await where({ name: 'vip', operator: 'eq', value: 1 }), [])
        assert.deepEqual(await where({ name: 'note', operator: 'eq', value: null }), ['100'])
        assert.deepEqual(await where({ name: 'due', operator: 'lt', value: '2030-01-31' }), ['100'])
        assert.deepEqual(await where({ name: 'tags', operator: 'eq', value: ['x', 'y'] }), ['102'])
        assert.deepEqual(
          await where(
            { name: 'customer', path: ['tier'], operator: 'eq', value: 'gold' },
            { name: 'amount', operator: 'lte', value: 500 },
          ),
          ['100'],
        )
        assert.deepEqual(await where({ name: 'missing', operator: 'neq', value: 1 }), [])
      } finally {
        await store.close()
      }
    })

    it('filters on start time, business key and version', async () => {
      store = await open()
      try {
        await store.commit(
          contractCommit({
            instances: records.map((record) => ({ record, expectedStateVersion: null })),
          }),
        )
        assert.deepEqual(await keys({ startedAfter: 2000 }), ['101', '102'])
        assert.deepEqual(await keys({ startedBefore: 2000 }), ['100'])
        assert.deepEqual(await keys({ startedAfter: 1500, startedBefore: 2500 }), ['101'])
        assert.deepEqual(await keys({ businessKey: 'A-2' }), ['101'])
        assert.deepEqual(await keys({ version: 2 }), ['101'])
        assert.deepEqual(await keys({ version: 1, bpmnProcessId: 'order' }), ['100', '102'])
      } finally {
        await store.close()
      }
    })

    it('refuses a path segment it cannot address', async () => {
      store = await open()
      try {
        await assert.rejects(
          store.queryInstances({ variables: [{ name: 'a"b', operator: 'exists' }] }),
          RangeError,
        )
        await assert.rejects(
          store.queryInstances({ variables: [{ name: 'a', operator: 'gt', value: true }] }),
          RangeError,
        )
      } finally {
        await store.close()
      }
    })
  })
}
