import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { readConfigFile, resolveStartSettings } from './config.ts'

const noFile = { path: undefined, values: {} }

describe('cli/config', () => {
  it('takes the defaults when nothing is set', () => {
    const { settings, sources } = resolveStartSettings({}, {}, noFile)
    assert.deepEqual(settings, {
      db: './.baton/baton.db',
      port: 8080,
      host: '127.0.0.1',
      dataDir: './.baton',
      auth: true,
      examples: true,
      schema: 'baton',
      leaseMs: 10_000,
    })
    assert.equal(sources.port, 'default')
    assert.equal(
      resolveStartSettings({ retentionDays: '30' }, {}, noFile).settings.retentionDays,
      30,
    )
    assert.throws(
      () => resolveStartSettings({}, { BATON_LEASE_MS: '50' }, noFile),
      /BATON_LEASE_MS must be a whole number of milliseconds, at least 100/,
    )
  })

  it('prefers the flag to the environment, the environment to the file, the file to the default', () => {
    const file = {
      path: 'baton.config.json',
      values: { port: 7000, host: '0.0.0.0', db: ':memory:', auth: false },
    }
    const env = { BATON_PORT: '7100', BATON_HOST: '::1' }
    const { settings, sources } = resolveStartSettings({ port: '7200' }, env, file)
    assert.equal(settings.port, 7200)
    assert.equal(sources.port, 'flag')
    assert.equal(settings.host, '::1')
    assert.equal(sources.host, 'environment')
    assert.equal(settings.db, ':memory:')
    assert.equal(sources.db, 'config file')
    assert.equal(settings.auth, false)
    assert.equal(settings.examples, true)
    assert.equal(sources.examples, 'default')
    assert.equal(
      resolveStartSettings({ auth: true }, { BATON_AUTH: 'false' }, file).settings.auth,
      true,
    )
    assert.equal(resolveStartSettings({}, { BATON_EXAMPLES: '0' }, noFile).settings.examples, false)
  })

  it('says which source holds a bad value', () => {
    assert.throws(() => resolveStartSettings({ port: '80a' }, {}, noFile), /--port must be a port/)
    assert.throws(
      () => resolveStartSettings({}, { BATON_PORT: '70000' }, noFile),
      /environment variable BATON_PORT must be a port.*70000/,
    )
    assert.throws(
      () => resolveStartSettings({}, {}, { path: 'my.json', values: { port: '8080x' } }),
      /'port' in the config file my.json must be a port/,
    )
    assert.throws(
      () => resolveStartSettings({}, {}, { path: 'my.json', values: { examples: 'yes' } }),
      /'examples' in the config file my.json must be true or false/,
    )
    assert.throws(
      () => resolveStartSettings({}, {}, { path: 'my.json', values: { db: '' } }),
      /'db' .* must be a non-empty string/,
    )
  })

  it('reads a JSON file and refuses unknown settings, non-objects and broken JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-config-'))
    const good = join(dir, 'good.json')
    writeFileSync(good, JSON.stringify({ port: 9000, examples: false }))
    assert.deepEqual(readConfigFile(good), { path: good, values: { port: 9000, examples: false } })
    const unknown = join(dir, 'unknown.json')
    writeFileSync(unknown, JSON.stringify({ prot: 9000 }))
    assert.throws(
      () => readConfigFile(unknown),
      /unknown setting 'prot'; the settings are: db, port/,
    )
    const list = join(dir, 'list.json')
    writeFileSync(list, '[1]')
    assert.throws(() => readConfigFile(list), /must hold a JSON object/)
    const broken = join(dir, 'broken.json')
    writeFileSync(broken, '{ "port": ')
    assert.throws(() => readConfigFile(broken), /is not JSON/)
    assert.throws(() => readConfigFile(join(dir, 'missing.json')), /cannot read the config file/)
  })
})
