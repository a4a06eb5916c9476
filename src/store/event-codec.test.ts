import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { EngineEvent } from '../engine/types.ts'
import { contractEventLog as sampleLog } from './contract-fixtures.ts'
import { decodeEvents, encodeEvents, EventCodecError, eventShapeCodes } from './event-codec.ts'

describe('store/event-codec', () => {
  it('reads back every event as it was written, positions from the row, instants by offset', () => {
    const log = sampleLog(5)
    const text = encodeEvents(log)
    assert.deepEqual(decodeEvents(text, 5), log)
    // Shaped events carry neither field names nor positions; a type without a shape is whole.
    assert.ok(!text.includes('elementInstanceKey'), text)
    assert.ok(
      !text.includes('"position"') || text.indexOf('"position"') > text.indexOf('JobFailed'),
    )
    assert.match(text, /"type":"JobFailed"/)
    assert.ok(text.length < JSON.stringify(log).length / 2, `${text.length} bytes`)
  })

  it('writes whole an event with a field its shape does not list, or a null optional field', () => {
    const extra = {
      ...sampleLog(0)[4],
      note: 'added by a newer engine',
    } as unknown as EngineEvent
    const nullOptional = {
      type: 'ProcessInstanceCreated',
      processDefinitionKey: '7',
      bpmnProcessId: 'order',
      version: 1,
      businessKey: null,
      position: 1,
      at: 5,
    } as unknown as EngineEvent
    const log = [{ ...extra, position: 0 }, nullOptional]
    assert.deepEqual(decodeEvents(encodeEvents(log), 0), log)
  })

  it('writes whole an event whose position does not follow the one before', () => {
    const log = sampleLog(0)
    const gap = [log[0], { ...log[1], position: 7 }] as EngineEvent[]
    assert.deepEqual(decodeEvents(encodeEvents(gap), 0), gap)
  })

  it('reads rows of the first format (event objects) unchanged', () => {
    const log = sampleLog(3)
    assert.deepEqual(decodeEvents(JSON.stringify(log), 3), log)
    assert.deepEqual(decodeEvents('[]', 0), [])
    const timeless = [
      { type: 'JobCompleted', jobKey: '4', position: 0 },
    ] as unknown as EngineEvent[]
    assert.deepEqual(decodeEvents(encodeEvents(timeless), 0), timeless)
    assert.equal(encodeEvents([]), '[]')
  })

  it('refuses a shape code it does not know, naming the event', () => {
    assert.throws(
      () => decodeEvents('[1000,[5,0,"1","Start"],[99,0]]', 40),
      (error: unknown) =>
        error instanceof EventCodecError && /event 41 has shape code 99/.test(error.message),
    )
  })

  it('keeps the stored codes of the shapes (they are part of the file format)', () => {
    assert.deepEqual(eventShapeCodes(), {
      ProcessInstanceCreated: 1,
      ProcessInstanceCompleted: 2,
      ProcessInstanceTerminated: 3,
      ElementActivating: 4,
      ElementActivated: 5,
      ElementCompleting: 6,
      ElementCompleted: 7,
      ElementTerminated: 8,
      SequenceFlowTaken: 9,
      JoinTokenArrived: 10,
      JoinTokensConsumed: 11,
      VariableSet: 12,
      JobCreated: 13,
      JobCompleted: 14,
      UserTaskCreated: 15,
      UserTaskAssigned: 16,
      UserTaskCompleted: 17,
      SubscriptionClosed: 18,
      SubscriptionTriggered: 19,
    })
  })
})
