/**
 * The one catalogue of errors a user can cause. Each has a stable code, a title and the HTTP
 * status the server answers with. `docs/errors.md` lists the same codes; a test keeps both in step.
 */
export const ErrorCatalogue = {
  BATON_MODEL_INVALID: { status: 400, title: 'The model is invalid' },
  BATON_DEPLOY_EMPTY: { status: 400, title: 'Nothing to deploy' },
  BATON_PROCESS_NOT_FOUND: { status: 404, title: 'No such process definition' },
  BATON_DECISION_NOT_FOUND: { status: 404, title: 'No such decision definition' },
  BATON_DECISION_EVALUATION_FAILED: { status: 422, title: 'The decision could not be evaluated' },
  BATON_INSTANCE_NOT_FOUND: { status: 404, title: 'No such process instance' },
  BATON_INSTANCE_NOT_ACTIVE: { status: 409, title: 'The process instance is not active' },
  BATON_INSTANCE_CANCEL_CHILD: {
    status: 409,
    title: 'A called instance is cancelled through its root',
  },
  BATON_JOB_NOT_FOUND: { status: 404, title: 'No such job' },
  BATON_JOB_NOT_ACTIVE: { status: 409, title: 'The job cannot be completed in its state' },
  BATON_USER_TASK_NOT_FOUND: { status: 404, title: 'No such user task' },
  BATON_USER_TASK_NOT_ACTIVE: { status: 409, title: 'The user task is not open' },
  BATON_USER_TASK_ALREADY_ASSIGNED: {
    status: 409,
    title: 'The user task is assigned to someone else',
  },
  BATON_INCIDENT_NOT_FOUND: { status: 404, title: 'No such incident' },
  BATON_MESSAGE_DUPLICATE: {
    status: 409,
    title: 'A message with this id is still buffered',
  },
  BATON_SERVICE_UNSUPPORTED: {
    status: 501,
    title: 'The store does not support this yet',
  },
  BATON_SUBSCRIPTION_NOT_FOUND: { status: 404, title: 'No such open event subscription' },
  BATON_PROCESS_NO_NONE_START: {
    status: 400,
    title: 'The process has no none start event to start it by hand',
  },
  BATON_SCOPE_NOT_FOUND: { status: 404, title: 'No such variable scope' },
  BATON_VARIABLES_INVALID: { status: 400, title: 'Variables must be a JSON object' },
  BATON_ELEMENT_INSTANCE_NOT_FOUND: { status: 404, title: 'No such element instance' },
  BATON_REQUEST_INVALID: { status: 400, title: 'The request is invalid' },
  BATON_REQUEST_MALFORMED: { status: 400, title: 'The request body is not well-formed' },
  BATON_REQUEST_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  BATON_REQUEST_MEDIA_TYPE: { status: 415, title: 'The request body has an unsupported type' },
  BATON_REQUEST_TIMEOUT: { status: 504, title: 'The request did not finish in time' },
  BATON_ROUTE_NOT_FOUND: { status: 404, title: 'No such route' },
  BATON_AUTH_REQUIRED: { status: 401, title: 'A valid API token is required' },
  BATON_AUTH_FORBIDDEN: { status: 403, title: 'The token does not allow this' },
  BATON_ENGINE_CLOSED: { status: 503, title: 'The engine is closed' },
  BATON_ENGINE_OVERLOADED: { status: 503, title: 'The engine is overloaded; retry later' },
  BATON_STORE_OPEN_FAILED: { status: 500, title: 'The store could not be opened' },
  BATON_STORE_CONFLICT: {
    status: 409,
    title: 'Other engine nodes kept changing the instance; retry the command',
  },
  BATON_INTERNAL: { status: 500, title: 'Internal error' },
} as const satisfies Record<string, { status: number; title: string }>

export type ErrorCode = keyof typeof ErrorCatalogue

/**
 * An error a caller can act on: a code from the catalogue, and a message saying what was wrong,
 * where, and what to do.
 *
 * @example
 * throw new BatonError('BATON_PROCESS_NOT_FOUND', 'no process "order" is deployed')
 */
export class BatonError extends Error {
  readonly status: number
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message)
    this.name = 'BatonError'
    this.status = ErrorCatalogue[code].status
  }
}
