import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, it } from 'node:test'
import { skipUnlessRequired } from '../../test/support/skip-unless-required.ts'
import { runDmnTck } from './dmn-tck.ts'

const corpus = join(
  resolve(fileURLToPath(import.meta.url), '../../..'),
  '../shared/corpora/dmn-tck/TestCases',
)

/** Recorded floors: raise them when the score rises; a drop below them is a regression. */
const floor = { level2: 116, level3: 2042 }

describe('conformance/dmn-tck', () => {
  it('keeps the DMN TCK level 2 and level 3 scores at or above the recorded floor', async (t) => {
    if (!existsSync(corpus)) return skipUnlessRequired(t, `DMN TCK corpus not found at ${corpus}`)
    const report = await runDmnTck(corpus, { quiet: true })
    assert.equal(report.level2.total, 116)
    assert.ok(
      report.level2.passed >= floor.level2,
      `level 2: ${report.level2.passed} < ${floor.level2}`,
    )
    assert.ok(
      report.level3.passed >= floor.level3,
      `level 3: ${report.level3.passed} < ${floor.level3}`,
    )
  })
})
