import assert from 'node:assert/strict'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { baton } from './cli-process.ts'

const fixtures = join(import.meta.dirname, 'fixtures')

/** Asserts that the patterns match lines of `text` in this order. */
function assertInOrder(text: string, patterns: readonly RegExp[]): void {
  const lines = text.split('\n')
  let at = 0
  for (const pattern of patterns) {
    const found = lines.findIndex((line, i) => i >= at && pattern.test(line))
    assert.ok(found >= 0, `${pattern} after line ${at} in:\n${text}`)
    at = found + 1
  }
}

describe('cli/run', () => {
  it('runs a model to its end with the auto worker and prints the trace', async () => {
    const result = await baton(['run', 'examples/reference.bpmn', '--vars', '{"amount":5}'])
    assert.equal(result.status, 0, result.stderr)
    assert.match(result.stdout, /auto worker: every job of every type is completed at once/)
    assertInOrder(result.stdout, [
      /process 'reference' v1 started$/,
      /variable amount = 5$/,
      /activated Start \(startEvent\)$/,
      /completed Start$/,
      /flow Flow_start: Start -> Validate$/,
      /activated Validate \(serviceTask\)$/,
      /job 'validate' created for Validate$/,
      /job completed by the auto worker$/,
      /completed Validate$/,
      // No variables from the auto worker: `valid` is unset, so the default flow is taken.
      /flow Flow_invalid: Valid -> Rejected$/,
      /completed Rejected$/,
      /process completed$/,
      /^instance \d+ completed$/,
    ])
  })

  it('prints the engine events as JSON lines with --json, notes on stderr', async () => {
    const result = await baton([
      'run',
      'examples/reference.bpmn',
      '--json',
      '--vars',
      '{"amount":5}',
    ])
    assert.equal(result.status, 0, result.stderr)
    const events = result.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; instanceKey: string; name?: string })
    assert.equal(events[0]?.type, 'ProcessInstanceCreated')
    assert.equal(events.at(-1)?.type, 'ProcessInstanceCompleted')
    assert.ok(events.some((e) => e.type === 'VariableSet' && e.name === 'amount'))
    assert.equal(events.filter((e) => e.type === 'JobCompleted').length, 1)
    assert.match(result.stderr, /auto worker/)
  })

  it('skips ahead to due timers, and says where it is stuck (exit code 2)', async () => {
    const result = await baton([
      'run',
      join(fixtures, 'waiting.bpmn'),
      '--vars',
      '{"orderId":"A-1"}',
    ])
    assert.equal(result.status, 2, result.stderr)
    assertInOrder(result.stdout, [
      /user task 'Review' created$/,
      /user task completed \(auto\)$/,
      /timer at Wait set/,
      /\+1\.0d {2}caught Wait$/,
      /waiting at Paid for message 'paid' \(correlation key 'A-1'\)$/,
      /^stuck: nothing can progress$/,
      /^ {2}\[waiting\] waiting at Paid for message 'paid' with correlation key 'A-1'$/,
    ])
  })

  it('refuses --vars that is not a JSON object, saying how to write it', async () => {
    const malformed = await baton(['run', 'examples/reference.bpmn', '--vars', '{amount:5}'])
    assert.equal(malformed.status, 1)
    assert.equal(malformed.stdout, '')
    assert.match(
      malformed.stderr,
      /^--vars is not valid JSON \(.+\); pass an object, e\.g\. --vars '\{"amount":5\}'\n$/,
    )
    const array = await baton(['run', 'examples/reference.bpmn', '--vars', '[5]'])
    assert.equal(array.status, 1)
    assert.match(array.stderr, /--vars must be a JSON object of variables, got \[5\]/)
  })

  it('prints the problems of an invalid model, and names a missing file', async () => {
    const invalid = await baton(['run', join(fixtures, 'broken', 'broken.bpmn')])
    assert.equal(invalid.status, 1)
    assert.match(invalid.stderr, /broken\.bpmn \(line \d+, element 'f'\): \[flow-target-missing\]/)
    const missing = await baton(['run', join(fixtures, 'nope.bpmn')])
    assert.equal(missing.status, 1)
    assert.match(missing.stderr, /^no such file: .*nope\.bpmn$/m)
  })
})
