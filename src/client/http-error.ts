/** Errors the client reports, and which of them are worth retrying. */
import type { Problem } from './wire-types.ts'

/** The server answered with an error: its problem+json body is in `problem`. */
export class BatonHttpError extends Error {
  readonly status: number
  /** The BATON_* code (docs/errors.md), or `HTTP_<status>` when the body was no problem. */
  readonly code: string
  readonly problem: Problem | undefined

  constructor(status: number, problem: Problem | undefined, fallback: string) {
    super(problem ? `${problem.code}: ${problem.detail}` : fallback)
    this.name = 'BatonHttpError'
    this.status = status
    this.code = problem?.code ?? `HTTP_${status}`
    this.problem = problem
  }
}

const TRANSIENT_NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
])

/** Whether trying again later may succeed: the server was unreachable, overloaded or closing. */
export function isTransientError(error: unknown): boolean {
  if (error instanceof BatonHttpError) return [502, 503, 504, 429].includes(error.status)
  if (error instanceof TypeError) {
    const cause = (error as TypeError & { cause?: { code?: string } }).cause
    return cause?.code !== undefined && TRANSIENT_NETWORK_CODES.has(cause.code)
  }
  return false
}
