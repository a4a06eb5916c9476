/**
 * bpmn-js-token-simulation's scenarios (../shared/corpora/bpmn-exec/token-simulation) as a
 * ratchet: the number of passing scenarios may only go up. Raise the floor when the engine passes
 * more; never lower it to make a change pass.
 */
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { skipUnlessRequired } from '../../test/support/skip-unless-required.ts'
import { canonicalTrace, reduceSimulatorTrace } from './token-simulation-trace.ts'
import { runTokenSimulation } from './token-simulation.ts'

/** Scenarios passing today (of 93). */
const FLOOR = 89

const projectRoot = fileURLToPath(new URL('../../', import.meta.url))
const suiteDir = join(projectRoot, '../shared/corpora/bpmn-exec/token-simulation')

void describe('conformance/token-simulation', () => {
  it(`passes at least ${FLOOR} scenarios`, async (t) => {
    if (!existsSync(join(suiteDir, 'scenarios.json'))) {
      skipUnlessRequired(
        t,
        `token simulation suite not found at ${suiteDir} (expected ../shared/corpora next to the project root); the token simulation floor was NOT checked`,
      )
      return
    }
    const report = await runTokenSimulation(suiteDir)
    const passed = report.scenarios.filter((s) => s.failure === undefined).length
    t.diagnostic(`token simulation: ${passed}/${report.scenarios.length} scenarios`)
    const failures = report.scenarios
      .filter((s) => s.failure !== undefined && s.failure.kind !== 'unsupported')
      .map((s) => `${s.name}: ${s.failure?.reason ?? ''}`)
    assert.ok(
      passed >= FLOOR,
      `token simulation regressed: ${passed} scenarios pass, the floor is ${FLOOR}. Failures other than unsupported elements:\n${failures.join('\n')}`,
    )
  })

  it('reduces a simulator trace to enters and exits of flow nodes, joins counted once', () => {
    // given a parallel join reached by two tokens (the simulator gives each its own scope)
    const trace = [
      'createScope:P:null',
      'signal:P:A',
      'createScope:S:A',
      'signal:S:B',
      'exit:S:B',
      'createScope:F1:A',
      'destroyScope:S:B',
      'enter:F1:A',
      'createScope:J:A',
      'createScope:J:A',
      'enter:J:A',
      'enter:J:A',
      'destroyScope:J:C',
      'exit:J:D',
      'destroyScope:J:D',
      'exit:P:A',
    ]
    // when
    const reduced = reduceSimulatorTrace([trace], new Set(['S', 'J']), new Set(['J']))
    // then
    assert.deepEqual(canonicalTrace(reduced, 1), [
      ['enter:S:A', 'exit:S:B', 'enter:J:A', 'exit:J:C'],
    ])
  })
})
