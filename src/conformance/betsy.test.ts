/**
 * betsy's BPMN execution suite (../shared/corpora/bpmn-exec/betsy) as a ratchet: the number of
 * passing cases and rejected constraint models may only go up. Raise the floors when the engine
 * passes more; never lower them to make a change pass.
 */
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { skipUnlessRequired } from '../../test/support/skip-unless-required.ts'
import { runBetsy } from './betsy.ts'

/** Test cases passing today (of 147). */
const FLOOR = 143
/** Constraint models rejected today (of 206), counting rejections for unsupported elements. */
const CONSTRAINTS_FLOOR = 206

const projectRoot = fileURLToPath(new URL('../../', import.meta.url))
const betsyDir = join(projectRoot, '../shared/corpora/bpmn-exec/betsy')

void describe('conformance/betsy', () => {
  it(`passes at least ${FLOOR} test cases and rejects at least ${CONSTRAINTS_FLOOR} constraint models`, async (t) => {
    if (!existsSync(join(betsyDir, 'tests.json'))) {
      skipUnlessRequired(
        t,
        `betsy suite not found at ${betsyDir} (expected ../shared/corpora next to the project root); the betsy conformance floor was NOT checked`,
      )
      return
    }
    const report = await runBetsy(betsyDir)
    const passed = report.cases.filter((c) => c.failure === undefined).length
    const rejected = (report.constraints ?? []).filter((c) => c.rejected).length
    t.diagnostic(
      `betsy: ${passed}/${report.cases.length} cases, constraints ${rejected}/${report.constraints?.length ?? 0}`,
    )

    const failures = report.cases
      .filter((c) => c.failure !== undefined && c.failure.kind !== 'unsupported')
      .map((c) => `${c.name}: ${c.failure?.reason ?? ''}`)
    assert.ok(
      passed >= FLOOR,
      `betsy regressed: ${passed} cases pass, the floor is ${FLOOR}. Failures other than unsupported elements:\n${failures.join('\n')}`,
    )
    assert.ok(
      rejected >= CONSTRAINTS_FLOOR,
      `betsy constraints regressed: ${rejected} models rejected, the floor is ${CONSTRAINTS_FLOOR}. Accepted: ${(
        report.constraints ?? []
      )
        .filter((c) => !c.rejected)
        .map((c) => c.name)
        .join(' ')}`,
    )
  })
})
