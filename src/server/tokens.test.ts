import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { BatonError } from '../errors.ts'
import { createMemoryTokenStore, openFileTokenStore, tokenFilePath } from './tokens.ts'

describe('server/tokens', () => {
  it('verifies a token it created and nothing else', async () => {
    const tokens = createMemoryTokenStore()
    const token = await tokens.create('worker', { label: 'billing' })
    assert.match(token, /^baton_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/)
    const grant = await tokens.verify(token)
    assert.equal(grant?.role, 'worker')
    assert.equal(grant?.label, 'billing')
    assert.deepEqual(grant?.groups, [])
    const tampered = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`
    assert.equal(await tokens.verify(tampered), undefined)
    assert.equal(await tokens.verify('not-a-token'), undefined)
    assert.equal(await tokens.verify(''), undefined)
  })

  it('carries the user and groups of a task-user token, and requires the user', async () => {
    const tokens = createMemoryTokenStore()
    const token = await tokens.create('task-user', { user: 'carol', groups: ['reviewers'] })
    const grant = await tokens.verify(token)
    assert.equal(grant?.user, 'carol')
    assert.deepEqual(grant?.groups, ['reviewers'])
    await assert.rejects(
      tokens.create('task-user'),
      (error: unknown) => error instanceof BatonError && error.code === 'BATON_REQUEST_INVALID',
    )
  })

  it('revokes a token by id', async () => {
    const tokens = createMemoryTokenStore()
    const token = await tokens.create('admin')
    const grant = await tokens.verify(token)
    assert.equal(await tokens.revoke(grant?.id as string), true)
    assert.equal(await tokens.verify(token), undefined)
    assert.equal(await tokens.revoke(grant?.id as string), false)
  })

  describe('file-backed', () => {
    let dir: string
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'baton-tokens-'))
    })
    afterEach(() => rmSync(dir, { recursive: true, force: true }))

    it('stores only a salted hash, readable by another store on the same file', async () => {
      const path = tokenFilePath(join(dir, '.baton'))
      const tokens = await openFileTokenStore(path)
      const token = await tokens.create('operator', { label: 'ops' })
      const text = readFileSync(path, 'utf8')
      // The secret is base64url, so it may hold underscores itself: everything after the id.
      const secret = token.slice('baton_'.length + 16 + 1)
      assert.equal(secret.length, 43)
      assert.ok(!text.includes(secret), 'the secret is not in the file')
      const stored = JSON.parse(text) as { tokens: { salt: string; hash: string; role: string }[] }
      assert.equal(stored.tokens[0]?.role, 'operator')
      assert.match(stored.tokens[0]?.hash ?? '', /^[0-9a-f]{64}$/)
      assert.match(stored.tokens[0]?.salt ?? '', /^[0-9a-f]{32}$/)
      assert.equal(statSync(path).mode & 0o777, 0o600)
      const other = await openFileTokenStore(path)
      assert.equal((await other.verify(token))?.role, 'operator')
      assert.equal((await other.list()).length, 1)
    })

    it('starts empty when the file does not exist', async () => {
      const tokens = await openFileTokenStore(join(dir, 'missing', 'tokens.json'))
      assert.deepEqual(await tokens.list(), [])
    })
  })
})
