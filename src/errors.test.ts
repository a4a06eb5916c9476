import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { BatonError, ErrorCatalogue } from './errors.ts'

describe('errors', () => {
  it('documents every catalogue code in docs/errors.md with its status and title', () => {
    const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8')
    const documented = new Map<string, string>()
    for (const match of doc.matchAll(/^\| `(BATON_[A-Z_]+)` \| (\d+) \| (.+) \|$/gm)) {
      documented.set(match[1] as string, `${match[2]} ${match[3]}`)
    }
    for (const [code, entry] of Object.entries(ErrorCatalogue)) {
      assert.equal(
        documented.get(code),
        `${entry.status} ${entry.title}`,
        `docs/errors.md row for ${code}`,
      )
    }
    assert.deepEqual([...documented.keys()].sort(), Object.keys(ErrorCatalogue).sort())
  })

  it('gives a BatonError the status of its code', () => {
    const error = new BatonError('BATON_JOB_NOT_FOUND', 'no job 7')
    assert.equal(error.status, 404)
    assert.equal(error.code, 'BATON_JOB_NOT_FOUND')
    assert.ok(error instanceof Error)
  })
})
