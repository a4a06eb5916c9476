/**
 * `baton start`'s settings: each comes from its flag, else its `BATON_*` environment variable,
 * else the config file, else the default. The file is JSON: `--config PATH`, else `BATON_CONFIG`,
 * else `./baton.config.json` when it exists. Everything is checked before the server starts, and
 * a bad value is reported with where it came from.
 */
import { existsSync, readFileSync } from 'node:fs'
import { CliError } from './remote.ts'

export interface StartSettings {
  readonly db: string
  readonly port: number
  readonly host: string
  readonly dataDir: string
  readonly auth: boolean
  readonly examples: boolean
  /** PostgreSQL: the schema every node of a cluster shares. */
  readonly schema: string
  /** PostgreSQL: how long job leases and timer claims outlive a dead node, ms. */
  readonly leaseMs: number
  /** Delete the data of instances ended more than this many days ago (absent: keep all). */
  readonly retentionDays?: number
}

/** Where a setting's value came from, for messages. */
export type SettingSource = 'flag' | 'environment' | 'config file' | 'default'

interface SettingSpec {
  readonly flag: string
  readonly env: string
  readonly kind: 'string' | 'port' | 'boolean' | 'lease' | 'days'
  /** undefined: the setting is absent unless set. */
  readonly fallback: string | number | boolean | undefined
}

const specs: Record<keyof StartSettings, SettingSpec> = {
  db: { flag: '--db', env: 'BATON_DB', kind: 'string', fallback: './.baton/baton.db' },
  port: { flag: '--port', env: 'BATON_PORT', kind: 'port', fallback: 8080 },
  host: { flag: '--host', env: 'BATON_HOST', kind: 'string', fallback: '127.0.0.1' },
  dataDir: { flag: '--data-dir', env: 'BATON_DATA_DIR', kind: 'string', fallback: './.baton' },
  auth: { flag: '--no-auth', env: 'BATON_AUTH', kind: 'boolean', fallback: true },
  examples: { flag: '--no-examples', env: 'BATON_EXAMPLES', kind: 'boolean', fallback: true },
  schema: { flag: '--schema', env: 'BATON_PG_SCHEMA', kind: 'string', fallback: 'baton' },
  leaseMs: { flag: '--lease-ms', env: 'BATON_LEASE_MS', kind: 'lease', fallback: 10_000 },
  retentionDays: {
    flag: '--retention-days',
    env: 'BATON_RETENTION_DAYS',
    kind: 'days',
    fallback: undefined,
  },
}

export const DEFAULT_CONFIG_FILE = './baton.config.json'

/** The settings' defaults, for help texts. */
export function defaultOf(name: keyof StartSettings): string {
  return String(specs[name].fallback ?? 'none')
}

/** The config file's settings, checked; `{}` when no file is named and the default is absent. */
export function readConfigFile(path: string | undefined): {
  readonly path: string | undefined
  readonly values: Readonly<Record<string, unknown>>
} {
  const chosen = path ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined)
  if (chosen === undefined) return { path: undefined, values: {} }
  let text: string
  try {
    text = readFileSync(chosen, 'utf8')
  } catch (error) {
    throw new CliError(`cannot read the config file ${chosen}: ${(error as Error).message}`)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw new CliError(`the config file ${chosen} is not JSON: ${(error as Error).message}`)
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new CliError(`the config file ${chosen} must hold a JSON object of settings`)
  }
  const known = Object.keys(specs)
  for (const key of Object.keys(parsed)) {
    if (!known.includes(key)) {
      throw new CliError(
        `the config file ${chosen} has an unknown setting '${key}'; the settings are: ${known.join(', ')}`,
      )
    }
  }
  return { path: chosen, values: parsed as Record<string, unknown> }
}

/**
 * Resolves every setting. `flags` holds what was given on the command line (only those),
 * `env` the environment, `file` the config file's values.
 */
export function resolveStartSettings(
  flags: Readonly<Partial<Record<keyof StartSettings, string | boolean>>>,
  env: Readonly<Record<string, string | undefined>>,
  file: { readonly path: string | undefined; readonly values: Readonly<Record<string, unknown>> },
): {
  readonly settings: StartSettings
  readonly sources: Record<keyof StartSettings, SettingSource>
} {
  const settings: Record<string, unknown> = {}
  const sources = {} as Record<keyof StartSettings, SettingSource>
  for (const [name, spec] of Object.entries(specs) as [keyof StartSettings, SettingSpec][]) {
    const flag = flags[name]
    const fromEnv = env[spec.env]
    let value: unknown
    let source: SettingSource
    let where: string
    if (flag !== undefined) {
      ;[value, source, where] = [flag, 'flag', spec.flag]
    } else if (fromEnv !== undefined && fromEnv !== '') {
      ;[value, source, where] = [fromEnv, 'environment', `the environment variable ${spec.env}`]
    } else if (name in file.values) {
      ;[value, source, where] = [
        file.values[name],
        'config file',
        `'${name}' in the config file ${file.path ?? ''}`,
      ]
    } else {
      ;[value, source, where] = [spec.fallback, 'default', 'the default']
    }
    sources[name] = source
    if (value !== undefined) settings[name] = check(spec, value, where)
  }
  return { settings: settings as unknown as StartSettings, sources }
}

function check(spec: SettingSpec, value: unknown, where: string): string | number | boolean {
  switch (spec.kind) {
    case 'string':
      if (typeof value !== 'string' || value.trim() === '') {
        throw new CliError(`${where} must be a non-empty string, got ${JSON.stringify(value)}`)
      }
      return value
    case 'port': {
      const port = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value
      if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
        throw new CliError(
          `${where} must be a port, a whole number from 0 to 65535, got ${JSON.stringify(value)}`,
        )
      }
      return port
    }
    case 'lease': {
      const ms = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value
      if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 100) {
        throw new CliError(
          `${where} must be a whole number of milliseconds, at least 100, got ${JSON.stringify(value)}`,
        )
      }
      return ms
    }
    case 'days': {
      const days = typeof value === 'string' && value.trim() !== '' ? Number(value) : value
      if (typeof days !== 'number' || !Number.isFinite(days) || days < 0) {
        throw new CliError(
          `${where} must be a number of days, 0 or more, got ${JSON.stringify(value)}`,
        )
      }
      return days
    }
    case 'boolean': {
      if (typeof value === 'boolean') return value
      if (value === 'true' || value === '1') return true
      if (value === 'false' || value === '0') return false
      throw new CliError(`${where} must be true or false, got ${JSON.stringify(value)}`)
    }
  }
}
