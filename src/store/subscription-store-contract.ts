/**
 * The SubscriptionStore contract: timers, message and signal subscriptions and buffered messages,
 * written through Store.commit and read through the SubscriptionStore methods. Like the Store
 * contract, it is written only against the ports, so every adapter runs it unchanged.
 *
 * @example
 * ```ts
 * describeSubscriptionStoreContract('sqlite :memory:', () => openSqliteStore({ path: ':memory:' }))
 * ```
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Key } from '../engine/types.ts'
import {
  ConcurrencyConflictError,
  type CommitBatch,
  type InstanceRecord,
  type Store,
} from './store.ts'
import type {
  BufferedMessageRecord,
  SubscriptionRecord,
  SubscriptionStore,
} from './subscriptions.ts'

/** What the suite needs: until Store extends SubscriptionStore, an adapter that has both. */
export type SubscriptionStoreUnderTest = Store & SubscriptionStore

// ---------------------------------------------------------------------------------------------
// Fixtures

const definitionKey = '1'

function timer(key: Key, dueAt: number, overrides: Partial<SubscriptionRecord> = {}) {
  return subscription(key, { kind: 'timer', name: null, correlationKey: null, dueAt, ...overrides })
}

function message(key: Key, name: string, correlationKey: string | null, instanceKey: Key | null) {
  return subscription(key, { kind: 'message', name, correlationKey, instanceKey })
}

function signal(key: Key, name: string, instanceKey: Key | null) {
  return subscription(key, { kind: 'signal', name, correlationKey: null, instanceKey })
}

function subscription(key: Key, overrides: Partial<SubscriptionRecord> = {}): SubscriptionRecord {
  return {
    key,
    kind: 'message',
    instanceKey: '100',
    processDefinitionKey: definitionKey,
    bpmnProcessId: 'order',
    elementId: 'wait',
    name: 'paid',
    correlationKey: 'order-1',
    dueAt: null,
    payload: { fired: 0, schedule: { type: 'cycle', repetitions: null, tags: ['a', 1, true] } },
    createdAt: 1000,
    ...overrides,
  }
}

function bufferedMessage(
  key: Key,
  overrides: Partial<BufferedMessageRecord> = {},
): BufferedMessageRecord {
  return {
    key,
    name: 'paid',
    correlationKey: 'order-1',
    messageId: null,
    variables: { amount: 42, customer: { name: 'Ada' }, tags: ['x'] },
    publishedAt: 1000,
    expiresAt: 5000,
    ...overrides,
  }
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

/** An instance whose update can never succeed (it was never inserted), to make a commit fail. */
function missingInstance(key: Key): InstanceRecord {
  return {
    key,
    processDefinitionKey: definitionKey,
    bpmnProcessId: 'order',
    version: 1,
    status: 'active',
    startedAt: 1000,
    endedAt: null,
    parentKey: null,
    businessKey: null,
    hasIncident: false,
    stateVersion: 2,
    state: {
      key,
      processDefinitionKey: definitionKey,
      bpmnProcessId: 'order',
      version: 1,
      status: 'active',
      startedAt: 1000,
      elements: {},
      variables: {},
      joins: {},
      jobs: {},
      userTasks: {},
      incidents: {},
      position: 0,
    },
  }
}

function keysOf(records: readonly { readonly key: Key }[]): Key[] {
  return records.map((record) => record.key)
}

// ---------------------------------------------------------------------------------------------
// The suite

/** Registers the contract's tests for one adapter; `open` must return a fresh, empty store. */
export function describeSubscriptionStoreContract(
  name: string,
  open: () => Promise<SubscriptionStoreUnderTest>,
): void {
  async function withStore(test: (store: SubscriptionStoreUnderTest) => Promise<void>) {
    const store = await open()
    try {
      await test(store)
    } finally {
      await store.close()
    }
  }

  describe(`subscription store contract: ${name}`, () => {
    describe('timers', () => {
      it('lists timers due at or before now, earliest first, ties in key order', () =>
        withStore(async (store) => {
          await store.commit(
            batch({
              subscriptionPuts: [
                timer('40', 3000),
                timer('12', 2000),
                timer('11', 2000, { instanceKey: null, elementId: 'every-morning' }),
                timer('30', 2001),
                timer('50', 1000),
                message('60', 'paid', 'order-1', '100'),
                signal('61', 'stop', '100'),
              ],
            }),
          )
          assert.deepEqual(keysOf(await store.dueTimers(2000, 10)), ['50', '11', '12'])
          assert.deepEqual(keysOf(await store.dueTimers(999, 10)), [])
          assert.deepEqual(keysOf(await store.dueTimers(10_000, 10)), [
            '50',
            '11',
            '12',
            '30',
            '40',
          ])
        }))

      it('returns at most limit timers, the earliest ones', () =>
        withStore(async (store) => {
          await store.commit(
            batch({ subscriptionPuts: [timer('1', 500), timer('2', 300), timer('3', 400)] }),
          )
          assert.deepEqual(keysOf(await store.dueTimers(1000, 2)), ['2', '3'])
          assert.deepEqual(await store.dueTimers(1000, 0), [])
        }))

      it('reads a timer back unchanged, payload included', () =>
        withStore(async (store) => {
          const record = timer('7', 2000, { instanceKey: null, elementId: 'start' })
          await store.commit(batch({ subscriptionPuts: [record] }))
          assert.deepEqual(await store.dueTimers(2000, 1), [record])
        }))

      it('tells when the next timer is due, following puts and deletes', () =>
        withStore(async (store) => {
          assert.equal(await store.nextTimerDueAt(), null)
          await store.commit(batch({ subscriptionPuts: [message('1', 'paid', 'order-1', '100')] }))
          assert.equal(await store.nextTimerDueAt(), null, 'messages have no due time')
          await store.commit(batch({ subscriptionPuts: [timer('2', 5000), timer('3', 4000)] }))
          assert.equal(await store.nextTimerDueAt(), 4000)
          // A cycle fired: the same subscription is put again with its next due time.
          await store.commit(batch({ subscriptionPuts: [timer('3', 9000)] }))
          assert.equal(await store.nextTimerDueAt(), 5000)
          await store.commit(batch({ subscriptionDeletes: ['2'] }))
          assert.equal(await store.nextTimerDueAt(), 9000)
          assert.deepEqual(await store.dueTimers(9000, 10), [timer('3', 9000)])
        }))
    })

    describe('messages', () => {
      it("finds instances' subscriptions by name and correlation key, not start events", () =>
        withStore(async (store) => {
          await store.commit(
            batch({
              subscriptionPuts: [
                message('20', 'paid', 'order-1', '200'),
                message('10', 'paid', 'order-1', '100'),
                message('11', 'paid', 'order-2', '100'),
                message('12', 'shipped', 'order-1', '100'),
                message('13', 'paid', null, null),
                signal('14', 'paid', '100'),
                timer('15', 1000, { name: null }),
              ],
            }),
          )
          const found = await store.messageSubscriptions('paid', 'order-1')
          assert.deepEqual(keysOf(found), ['10', '20'])
          assert.deepEqual(found[0], message('10', 'paid', 'order-1', '100'))
          assert.deepEqual(await store.messageSubscriptions('paid', 'order-3'), [])
          assert.deepEqual(
            await store.messageSubscriptions('Paid', 'order-1'),
            [],
            'names are exact',
          )
        }))

      it('finds message start events by name only', () =>
        withStore(async (store) => {
          const start = {
            ...message('31', 'order-placed', null, null),
            elementId: 'start',
            processDefinitionKey: '2',
          }
          await store.commit(
            batch({
              subscriptionPuts: [
                start,
                message('30', 'order-placed', null, null),
                message('32', 'order-placed', 'order-1', '100'),
                message('33', 'other', null, null),
                signal('34', 'order-placed', null),
              ],
            }),
          )
          const found = await store.messageStartSubscriptions('order-placed')
          assert.deepEqual(keysOf(found), ['30', '31'])
          assert.deepEqual(found[1], start)
          assert.deepEqual(await store.messageStartSubscriptions('nothing'), [])
        }))
    })

    describe('signals', () => {
      it('finds every signal subscription with the name, start events included', () =>
        withStore(async (store) => {
          await store.commit(
            batch({
              subscriptionPuts: [
                signal('41', 'stop', '100'),
                signal('40', 'stop', null),
                signal('42', 'stop', '200'),
                signal('43', 'go', '100'),
                message('44', 'stop', 'order-1', '100'),
                message('45', 'stop', null, null),
              ],
            }),
          )
          const found = await store.signalSubscriptions('stop')
          assert.deepEqual(keysOf(found), ['40', '41', '42'])
          assert.deepEqual(found[0], signal('40', 'stop', null))
          assert.deepEqual(await store.signalSubscriptions('pause'), [])
        }))
    })

    describe('start events', () => {
      it("lists one deployed process's start subscriptions of every kind", () =>
        withStore(async (store) => {
          const ofTwo = { processDefinitionKey: '2', instanceKey: null }
          await store.commit(
            batch({
              subscriptionPuts: [
                { ...timer('52', 9000), ...ofTwo },
                { ...message('50', 'placed', null, null), ...ofTwo },
                { ...signal('51', 'go', null), ...ofTwo },
                { ...signal('53', 'go', '100'), processDefinitionKey: '2' },
                signal('54', 'go', null),
              ],
            }),
          )
          const found = await store.startSubscriptionsOf('2')
          assert.deepEqual(keysOf(found), ['50', '51', '52'])
          assert.deepEqual(found[2], { ...timer('52', 9000), ...ofTwo })
          assert.deepEqual(keysOf(await store.startSubscriptionsOf(definitionKey)), ['54'])
          assert.deepEqual(await store.startSubscriptionsOf('3'), [])
          assert.deepEqual(await store.startSubscriptionsOf('not-a-key'), [])
        }))
    })

    describe('commits', () => {
      it('removes deleted subscriptions and messages, and ignores unknown keys', () =>
        withStore(async (store) => {
          await store.commit(
            batch({
              subscriptionPuts: [
                timer('1', 1000),
                message('2', 'paid', 'order-1', '100'),
                signal('3', 'stop', null),
              ],
              messagePuts: [bufferedMessage('4'), bufferedMessage('5', { messageId: 'm-5' })],
            }),
          )
          await store.commit(
            batch({
              subscriptionDeletes: ['1', '2', '3', '999'],
              messageDeletes: ['4', '5', '998'],
            }),
          )
          assert.deepEqual(await store.dueTimers(10_000, 10), [])
          assert.equal(await store.nextTimerDueAt(), null)
          assert.deepEqual(await store.messageSubscriptions('paid', 'order-1'), [])
          assert.deepEqual(await store.signalSubscriptions('stop'), [])
          assert.deepEqual(await store.startSubscriptionsOf(definitionKey), [])
          assert.deepEqual(await store.bufferedMessages('paid', 'order-1', 1000), [])
          assert.equal(await store.bufferedMessageById('m-5', 1000), undefined)
        }))

      it('leaves a subscription opened and closed by one commit closed', () =>
        withStore(async (store) => {
          await store.commit(
            batch({
              subscriptionPuts: [message('1', 'paid', 'order-1', '100')],
              subscriptionDeletes: ['1'],
              messagePuts: [bufferedMessage('2')],
              messageDeletes: ['2'],
            }),
          )
          assert.deepEqual(await store.messageSubscriptions('paid', 'order-1'), [])
          assert.deepEqual(await store.bufferedMessages('paid', 'order-1', 1000), [])
        }))

      it('replaces a subscription put again under the same key', () =>
        withStore(async (store) => {
          await store.commit(batch({ subscriptionPuts: [message('1', 'paid', 'order-1', '100')] }))
          const moved = message('1', 'paid', 'order-2', '100')
          await store.commit(batch({ subscriptionPuts: [moved] }))
          assert.deepEqual(await store.messageSubscriptions('paid', 'order-1'), [])
          assert.deepEqual(await store.messageSubscriptions('paid', 'order-2'), [moved])
        }))

      it('writes no subscription or message of a commit that fails', () =>
        withStore(async (store) => {
          await store.commit(batch({ subscriptionPuts: [timer('1', 1000)] }))
          await assert.rejects(
            store.commit(
              batch({
                instances: [{ record: missingInstance('100'), expectedStateVersion: 1 }],
                subscriptionPuts: [timer('2', 500)],
                subscriptionDeletes: ['1'],
                messagePuts: [bufferedMessage('3')],
              }),
            ),
            ConcurrencyConflictError,
          )
          assert.deepEqual(keysOf(await store.dueTimers(10_000, 10)), ['1'])
          assert.deepEqual(await store.bufferedMessages('paid', 'order-1', 1000), [])
        }))
    })

    describe('buffered messages', () => {
      it('lists live messages for a name and correlation key, oldest first', () =>
        withStore(async (store) => {
          await store.commit(
            batch({
              messagePuts: [
                bufferedMessage('12'),
                bufferedMessage('10'),
                bufferedMessage('11', { correlationKey: 'order-2' }),
                bufferedMessage('13', { name: 'shipped' }),
                bufferedMessage('14', { expiresAt: 1500 }),
              ],
            }),
          )
          const live = await store.bufferedMessages('paid', 'order-1', 2000)
          assert.deepEqual(keysOf(live), ['10', '12'])
          assert.deepEqual(live[0], bufferedMessage('10'))
          assert.deepEqual(keysOf(await store.bufferedMessages('paid', 'order-1', 1000)), [
            '10',
            '12',
            '14',
          ])
        }))

      it('keeps a message live up to its expiry time and drops it after', () =>
        withStore(async (store) => {
          await store.commit(batch({ messagePuts: [bufferedMessage('1', { expiresAt: 5000 })] }))
          assert.deepEqual(keysOf(await store.bufferedMessages('paid', 'order-1', 5000)), ['1'])
          assert.deepEqual(await store.bufferedMessages('paid', 'order-1', 5001), [])
        }))

      it('finds a live message by its id, and no expired one', () =>
        withStore(async (store) => {
          const live = bufferedMessage('2', { messageId: 'pay-7', expiresAt: 9000 })
          await store.commit(
            batch({
              messagePuts: [
                bufferedMessage('1', { messageId: 'pay-7', expiresAt: 3000 }),
                live,
                bufferedMessage('3', { messageId: 'pay-8', expiresAt: 3000 }),
              ],
            }),
          )
          assert.deepEqual(await store.bufferedMessageById('pay-7', 4000), live)
          assert.equal(await store.bufferedMessageById('pay-8', 4000), undefined)
          assert.equal((await store.bufferedMessageById('pay-8', 3000))?.key, '3')
          assert.equal(await store.bufferedMessageById('pay-9', 0), undefined)
        }))

      it('deletes expired messages, earliest expiry first, up to the limit', () =>
        withStore(async (store) => {
          await store.commit(
            batch({
              messagePuts: [
                bufferedMessage('1', { expiresAt: 1000 }),
                bufferedMessage('2', { expiresAt: 2000 }),
                bufferedMessage('3', { expiresAt: 3000 }),
                bufferedMessage('4', { expiresAt: 9000 }),
              ],
            }),
          )
          assert.equal(await store.deleteExpiredMessages(3000, 10), 2, 'live at its expiry time')
          assert.deepEqual(keysOf(await store.bufferedMessages('paid', 'order-1', 0)), ['3', '4'])
          assert.equal(await store.deleteExpiredMessages(10_000, 1), 1)
          assert.deepEqual(keysOf(await store.bufferedMessages('paid', 'order-1', 0)), ['4'])
          assert.equal(await store.deleteExpiredMessages(10_000, 10), 1)
          assert.equal(await store.deleteExpiredMessages(10_000, 10), 0)
        }))
    })

    describe('active message starts', () => {
      it('records the instance a message started per process id and correlation key', () =>
        withStore(async (store) => {
          assert.equal(await store.activeMessageStart('order', 'o-1'), undefined)
          await store.commit(
            batch({
              messageStartPuts: [
                activeStart('order', 'o-1', '100'),
                activeStart('order', 'o-2', '101'),
                activeStart('refund', 'o-1', '102'),
              ],
            }),
          )
          assert.equal(await store.activeMessageStart('order', 'o-1'), '100')
          assert.equal(await store.activeMessageStart('order', 'o-2'), '101')
          assert.equal(await store.activeMessageStart('refund', 'o-1'), '102')
          assert.equal(await store.activeMessageStart('order', 'o-3'), undefined)
          assert.equal(await store.activeMessageStart('shipping', 'o-1'), undefined)
        }))

      it("deletes a row only with its own instance's key", () =>
        withStore(async (store) => {
          await store.commit(batch({ messageStartPuts: [activeStart('order', 'o-1', '100')] }))
          await store.commit(batch({ messageStartDeletes: [activeStart('order', 'o-1', '99')] }))
          assert.equal(await store.activeMessageStart('order', 'o-1'), '100')
          await store.commit(batch({ messageStartDeletes: [activeStart('order', 'o-1', '100')] }))
          assert.equal(await store.activeMessageStart('order', 'o-1'), undefined)
        }))

      it('hands a key on from the instance that ended to the next one in one commit', () =>
        withStore(async (store) => {
          await store.commit(batch({ messageStartPuts: [activeStart('order', 'o-1', '100')] }))
          await store.commit(
            batch({
              messageStartDeletes: [activeStart('order', 'o-1', '100')],
              messageStartPuts: [activeStart('order', 'o-1', '101')],
            }),
          )
          assert.equal(await store.activeMessageStart('order', 'o-1'), '101')
        }))

      it('fails the whole commit when the process id and key have an active instance', () =>
        withStore(async (store) => {
          await store.commit(batch({ messageStartPuts: [activeStart('order', 'o-1', '100')] }))
          await assert.rejects(
            store.commit(
              batch({
                messageStartPuts: [
                  activeStart('order', 'o-2', '102'),
                  activeStart('order', 'o-1', '101'),
                ],
                messagePuts: [bufferedMessage('3')],
              }),
            ),
            ConcurrencyConflictError,
          )
          assert.equal(await store.activeMessageStart('order', 'o-1'), '100')
          assert.equal(await store.activeMessageStart('order', 'o-2'), undefined)
          assert.deepEqual(await store.bufferedMessages('paid', 'order-1', 1000), [])
        }))
    })
  })
}

function activeStart(bpmnProcessId: string, correlationKey: string, instanceKey: Key) {
  return { bpmnProcessId, correlationKey, instanceKey }
}
