/**
 * Who may call what. Each route says which roles it admits (`config.access`); the onRequest hook
 * checks the bearer token before anything else runs, so an unauthenticated request costs no
 * body parsing.
 */
import type { FastifyRequest } from 'fastify'
import { BatonError } from '../errors.ts'
import type { Role, TokenStore } from './tokens.ts'

/** `public`: no token needed; `authenticated`: any valid token; else the roles admitted (admin always is). */
export type Access = 'public' | 'authenticated' | readonly Role[]

export type AuthOptions =
  { readonly mode: 'none' } | { readonly mode: 'tokens'; readonly tokens: TokenStore }

/** Who is calling. */
export interface Principal {
  readonly role: Role
  /** The user a task-user token acts as. */
  readonly user?: string
  readonly groups: readonly string[]
  /** The token's id (absent with auth mode `none`). */
  readonly tokenId?: string
}

const anonymousAdmin: Principal = { role: 'admin', groups: [] }
const principals = new WeakMap<FastifyRequest, Principal>()

/** The caller of a request that passed the auth hook. */
export function principalOf(request: FastifyRequest): Principal {
  return principals.get(request) ?? anonymousAdmin
}

function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
  return match?.[1]
}

/** `?access_token=` (for routes a browser's EventSource calls: it cannot send headers). */
function queryToken(request: FastifyRequest): string | undefined {
  const value = (request.query as Record<string, unknown> | undefined)?.access_token
  return typeof value === 'string' && value.length > 0 ? value : undefined
}

/** Builds the onRequest check for a server's auth options. */
export function authenticator(
  auth: AuthOptions,
): (request: FastifyRequest, access: Access) => Promise<void> {
  return async (request, access) => {
    if (access === 'public') return
    let principal: Principal
    if (auth.mode === 'none') principal = anonymousAdmin
    else {
      const token =
        bearerToken(request.headers.authorization) ??
        (request.routeOptions.config.tokenInQuery ? queryToken(request) : undefined)
      if (!token) {
        throw new BatonError(
          'BATON_AUTH_REQUIRED',
          'send an API token as "Authorization: Bearer <token>" (create one with `baton token create`)',
        )
      }
      const grant = await auth.tokens.verify(token)
      if (!grant) {
        throw new BatonError(
          'BATON_AUTH_REQUIRED',
          'the API token is unknown or revoked; create a new one with `baton token create`',
        )
      }
      principal = {
        role: grant.role,
        ...(grant.user === undefined ? {} : { user: grant.user }),
        groups: grant.groups,
        tokenId: grant.id,
      }
    }
    principals.set(request, principal)
    if (access === 'authenticated' || principal.role === 'admin') return
    if (!access.includes(principal.role)) {
      throw new BatonError(
        'BATON_AUTH_FORBIDDEN',
        `a ${principal.role} token may not call ${request.method} ${request.routeOptions.url ?? request.url}; it needs one of: admin, ${access.join(', ')}`,
      )
    }
  }
}

/** Whether a principal may see and work a user task (task-users: assignee or candidate only). */
export function mayWorkUserTask(
  principal: Principal,
  task: {
    readonly assignee: string | null
    readonly candidateUsers: readonly string[]
    readonly candidateGroups: readonly string[]
  },
): boolean {
  if (principal.role !== 'task-user') return true
  const user = principal.user
  if (user === undefined) return false
  return (
    task.assignee === user ||
    task.candidateUsers.includes(user) ||
    task.candidateGroups.some((group) => principal.groups.includes(group))
  )
}
