/**
 * Bearer API tokens. A token is shown once when created; the store keeps only a salted sha-256 of
 * its secret (the secret is 256 random bits, so a slow hash would add latency and no strength).
 * A token reads `baton_<id>_<secret>`: the id finds the record without scanning.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { BatonError } from '../errors.ts'

/**
 * What a token allows: `admin` everything; `operator` deployments, instances, incidents,
 * variables; `worker` jobs only; `task-user` the user tasks its user is assignee or candidate of.
 */
export const Roles = {
  admin: 'admin',
  operator: 'operator',
  worker: 'worker',
  taskUser: 'task-user',
} as const
export type Role = (typeof Roles)[keyof typeof Roles]

const roleNames: readonly string[] = Object.values(Roles)

export function isRole(value: string): value is Role {
  return roleNames.includes(value)
}

/** Who a verified token speaks for. */
export interface TokenGrant {
  readonly id: string
  readonly role: Role
  /** The user a `task-user` token acts as. */
  readonly user?: string
  readonly groups: readonly string[]
  readonly label?: string
  /** ISO 8601. */
  readonly createdAt: string
}

export interface CreateTokenOptions {
  /** Required for `task-user`. */
  readonly user?: string
  readonly groups?: readonly string[]
  /** A note for whoever lists tokens later ("ci deploy", "billing workers"). */
  readonly label?: string
}

/**
 * Where API tokens live.
 *
 * @example
 * const tokens = await openFileTokenStore('./.baton/tokens.json')
 * const token = await tokens.create('worker', { label: 'billing workers' })
 * console.log(token) // shown once; only its hash is stored
 */
export interface TokenStore {
  /** Creates a token and returns its plaintext, which is not stored and cannot be shown again. */
  create(role: Role, options?: CreateTokenOptions): Promise<string>
  /** The grant of a valid token; undefined for an unknown, revoked or malformed one. */
  verify(token: string): Promise<TokenGrant | undefined>
  list(): Promise<TokenGrant[]>
  /** Revokes a token by id; false when there was none. */
  revoke(id: string): Promise<boolean>
}

interface StoredToken extends TokenGrant {
  readonly salt: string
  readonly hash: string
}

interface TokenFile {
  readonly version: 1
  readonly tokens: readonly StoredToken[]
}

const TOKEN_PATTERN = /^baton_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/

function hashSecret(salt: string, secret: string): Buffer {
  return createHash('sha256').update(salt).update(secret).digest()
}

function grantOf(stored: StoredToken): TokenGrant {
  return {
    id: stored.id,
    role: stored.role,
    ...(stored.user === undefined ? {} : { user: stored.user }),
    groups: stored.groups,
    ...(stored.label === undefined ? {} : { label: stored.label }),
    createdAt: stored.createdAt,
  }
}

class HashedTokenStore implements TokenStore {
  protected records = new Map<string, StoredToken>()

  async create(role: Role, options: CreateTokenOptions = {}): Promise<string> {
    if (!isRole(role)) {
      throw new BatonError(
        'BATON_REQUEST_INVALID',
        `unknown role '${String(role)}'; use one of ${roleNames.join(', ')}`,
      )
    }
    if (role === 'task-user' && !options.user) {
      throw new BatonError(
        'BATON_REQUEST_INVALID',
        'a task-user token needs the user name it acts as (and optionally its groups)',
      )
    }
    await this.refresh()
    const id = randomBytes(8).toString('hex')
    const secret = randomBytes(32).toString('base64url')
    const salt = randomBytes(16).toString('hex')
    const stored: StoredToken = {
      id,
      role,
      ...(options.user === undefined ? {} : { user: options.user }),
      groups: [...(options.groups ?? [])],
      ...(options.label === undefined ? {} : { label: options.label }),
      createdAt: new Date().toISOString(),
      salt,
      hash: hashSecret(salt, secret).toString('hex'),
    }
    this.records.set(id, stored)
    await this.persist()
    return `baton_${id}_${secret}`
  }

  async verify(token: string): Promise<TokenGrant | undefined> {
    const match = TOKEN_PATTERN.exec(token)
    if (!match) return undefined
    const [, id, secret] = match as unknown as [string, string, string]
    await this.refresh()
    const stored = this.records.get(id)
    if (!stored) return undefined
    const expected = Buffer.from(stored.hash, 'hex')
    const actual = hashSecret(stored.salt, secret)
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return undefined
    return grantOf(stored)
  }

  async list(): Promise<TokenGrant[]> {
    await this.refresh()
    return [...this.records.values()].map(grantOf)
  }

  async revoke(id: string): Promise<boolean> {
    await this.refresh()
    if (!this.records.delete(id)) return false
    await this.persist()
    return true
  }

  protected async refresh(): Promise<void> {}
  protected async persist(): Promise<void> {}
}

/** Tokens kept in memory only (tests, throwaway servers). */
export function createMemoryTokenStore(): TokenStore {
  return new HashedTokenStore()
}

/** The token file under a data directory: `<dataDir>/tokens.json`. */
export function tokenFilePath(dataDir = './.baton'): string {
  return join(dataDir, 'tokens.json')
}

class FileTokenStore extends HashedTokenStore {
  private loadedMtimeMs = -1
  private checkedAt = 0

  constructor(private readonly path: string) {
    super()
  }

  /** Picks up tokens created or revoked by another process (`baton token ...`), once a second. */
  protected override async refresh(force = false): Promise<void> {
    const now = Date.now()
    if (!force && now - this.checkedAt < 1000) return
    this.checkedAt = now
    let mtimeMs: number
    try {
      mtimeMs = (await stat(this.path)).mtimeMs
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        this.records = new Map()
        this.loadedMtimeMs = -1
        return
      }
      throw error
    }
    if (mtimeMs === this.loadedMtimeMs) return
    const text = await readFile(this.path, 'utf8')
    let parsed: TokenFile
    try {
      parsed = JSON.parse(text) as TokenFile
    } catch (error) {
      throw new BatonError(
        'BATON_REQUEST_INVALID',
        `the token file ${this.path} is not valid JSON (${String(error)}); fix or delete it`,
      )
    }
    this.records = new Map((parsed.tokens ?? []).map((t) => [t.id, t]))
    this.loadedMtimeMs = mtimeMs
  }

  protected override async persist(): Promise<void> {
    const file: TokenFile = { version: 1, tokens: [...this.records.values()] }
    await mkdir(dirname(this.path), { recursive: true })
    const temporary = `${this.path}.${process.pid}.tmp`
    await writeFile(temporary, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 })
    await rename(temporary, this.path)
    this.loadedMtimeMs = (await stat(this.path)).mtimeMs
    this.checkedAt = Date.now()
  }

  async load(): Promise<void> {
    await this.refresh(true)
  }
}

/**
 * Tokens in a JSON file (created on first write, mode 0600). Other processes may add or revoke
 * tokens in the same file; a running server sees the change within a second.
 *
 * @example
 * const tokens = await openFileTokenStore(tokenFilePath('./.baton'))
 */
export async function openFileTokenStore(path: string): Promise<TokenStore> {
  const store = new FileTokenStore(path)
  await store.load()
  return store
}
