/**
 * Every error answer is an RFC 9457 problem (`application/problem+json`) carrying a `BATON_*`
 * code of the catalogue. This turns whatever was thrown (a BatonError, a schema validation
 * failure, a body parser or multipart error, a bug) into one.
 */
import type { Problem } from '../client/wire-types.ts'
import type { ErrorCode } from '../errors.ts'
import { BatonError, ErrorCatalogue } from '../errors.ts'

export const PROBLEM_CONTENT_TYPE = 'application/problem+json'

/** The problem type: a stable URI per code. */
export function problemType(code: ErrorCode): string {
  return `urn:baton:error:${code}`
}

interface ValidationIssue {
  readonly instancePath?: string
  readonly keyword?: string
  readonly message?: string
  readonly params?: Record<string, unknown>
}

interface FrameworkError {
  readonly code?: string
  readonly statusCode?: number
  readonly message?: string
  readonly validation?: readonly ValidationIssue[]
  readonly validationContext?: string
}

export interface ProblemOutcome {
  readonly problem: Problem
  /** A 5xx that is not a BatonError: a bug to log with its stack. */
  readonly unexpected: boolean
}

/** Builds a problem from a code and a message. */
export function problemOf(
  code: ErrorCode,
  detail: string,
  instance: string,
  extra: Partial<Pick<Problem, 'errors' | 'details'>> = {},
): Problem {
  const entry = ErrorCatalogue[code]
  return {
    type: problemType(code),
    title: entry.title,
    status: entry.status,
    detail,
    instance,
    code,
    ...extra,
  }
}

/** `body.variables` from a JSON pointer and the part of the request it was in. */
function fieldOf(context: string | undefined, issue: ValidationIssue): string {
  const path = (issue.instancePath ?? '')
    .split('/')
    .filter(Boolean)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
  const missing = issue.params?.['missingProperty']
  if (issue.keyword === 'required' && typeof missing === 'string') path.push(missing)
  const extra = issue.params?.['additionalProperty']
  if (issue.keyword === 'additionalProperties' && typeof extra === 'string') path.push(extra)
  return [context ?? 'body', ...path].join('.')
}

function messageOf(issue: ValidationIssue): string {
  switch (issue.keyword) {
    case 'required':
      return 'is required'
    case 'additionalProperties':
      return 'is not a known field'
    case 'enum': {
      const allowed = issue.params?.['allowedValues']
      return Array.isArray(allowed)
        ? `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`
        : (issue.message ?? 'is not allowed')
    }
    default:
      return issue.message ?? 'is invalid'
  }
}

/** Turns anything thrown while answering a request into a problem. */
export function toProblem(error: unknown, instance: string): ProblemOutcome {
  if (error instanceof BatonError) {
    const extra = error.details === undefined ? {} : { details: error.details }
    return {
      problem: problemOf(error.code, error.message, instance, extra),
      unexpected: error.status >= 500 && error.code === 'BATON_INTERNAL',
    }
  }
  const framework = (typeof error === 'object' && error !== null ? error : {}) as FrameworkError
  if (Array.isArray(framework.validation) && framework.validation.length > 0) {
    const errors = framework.validation.map((issue) => ({
      field: fieldOf(framework.validationContext, issue),
      message: messageOf(issue),
    }))
    const detail = errors.map((e) => `${e.field} ${e.message}`).join('; ')
    return {
      problem: problemOf('BATON_REQUEST_INVALID', detail, instance, { errors }),
      unexpected: false,
    }
  }
  switch (framework.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_PROTO_VIOLATION':
    case 'FST_INVALID_JSON_FIELD_ERROR':
      return {
        problem: problemOf(
          'BATON_REQUEST_MALFORMED',
          framework.message ?? 'the request body is malformed',
          instance,
        ),
        unexpected: false,
      }
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        problem: problemOf(
          'BATON_REQUEST_MEDIA_TYPE',
          `${framework.message ?? 'unsupported media type'}; send application/json (or multipart/form-data for deployments)`,
          instance,
        ),
        unexpected: false,
      }
    default:
      break
  }
  const status = framework.statusCode ?? 500
  if (status === 413) {
    return {
      problem: problemOf(
        'BATON_REQUEST_TOO_LARGE',
        `${framework.message ?? 'the request body is too large'}; send less data per request`,
        instance,
      ),
      unexpected: false,
    }
  }
  if (status === 415) {
    return {
      problem: problemOf('BATON_REQUEST_MEDIA_TYPE', framework.message ?? '', instance),
      unexpected: false,
    }
  }
  if (status >= 400 && status < 500) {
    return {
      problem: problemOf('BATON_REQUEST_INVALID', framework.message ?? 'bad request', instance),
      unexpected: false,
    }
  }
  return {
    problem: problemOf(
      'BATON_INTERNAL',
      'the server failed to answer this request; the server log has the details',
      instance,
    ),
    unexpected: true,
  }
}
