/** What every route module gets, and what each route declares besides its schema. */
import type { Engine } from '../runtime/engine.ts'
import type { Access } from './auth.ts'
import type { JobActivations } from './job-activation.ts'
import type { JsonSchema } from './schemas.ts'

export interface ServerContext {
  readonly engine: Engine
  readonly activations: JobActivations
  /** Call after a command that may have created jobs, so waiting long polls look again. */
  jobsMayExist(): void
}

/** How a route appears in `/v2/openapi.json`. */
export interface RouteDoc {
  readonly summary: string
  readonly tags: readonly string[]
  readonly description?: string
  /** Response bodies by status (the error statuses are added for every route). */
  readonly responses: Readonly<
    Record<
      number,
      { readonly description: string; readonly schema?: JsonSchema; readonly contentType?: string }
    >
  >
  /** A multipart request body, which the route reads itself. */
  readonly multipart?: JsonSchema
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route (default: any valid token). */
    access?: Access
    /** The token may come as `?access_token=` (server-sent events from a browser). */
    tokenInQuery?: boolean
    doc?: RouteDoc
  }
}
