/** Remote job workers: activate (long polling), complete, fail, throw a BPMN error. */
import type { FastifyInstance } from 'fastify'
import type {
  ActivateJobsRequest,
  ActivateJobsResponse,
  CompleteJobRequest,
  FailJobRequest,
  ThrowJobErrorRequest,
} from '../../client/wire-types.ts'
import type { ServerContext } from '../context.ts'
import {
  int64Of,
  int64Schema,
  keyParams,
  keySchema,
  tenantSchema,
  variablesSchema,
} from '../schemas.ts'
import { activatedJobWire } from '../wire.ts'

/** Long polling: the wait when a request does not say, and the longest one allowed. */
export const DEFAULT_LONG_POLL_MS = 10_000
export const MAX_LONG_POLL_MS = 60_000

const activateBody = {
  type: 'object',
  required: ['type', 'timeout', 'maxJobsToActivate'],
  additionalProperties: false,
  properties: {
    type: { type: 'string', minLength: 1 },
    worker: { type: 'string', maxLength: 256 },
    timeout: int64Schema({ minimum: 1, description: 'Lease length, ms.' }),
    maxJobsToActivate: { type: 'integer', minimum: 1, maximum: 1000 },
    fetchVariable: { type: 'array', items: { type: 'string' } },
    requestTimeout: int64Schema({
      description: `Long polling, ms: 0 or absent waits up to ${DEFAULT_LONG_POLL_MS} ms for a job, negative answers at once; at most ${MAX_LONG_POLL_MS}.`,
    }),
    tenantIds: { type: 'array', items: tenantSchema },
  },
} as const

const activatedJobSchema = {
  type: 'object',
  properties: {
    jobKey: keySchema,
    type: { type: 'string' },
    processInstanceKey: keySchema,
    processDefinitionId: { type: 'string' },
    processDefinitionVersion: { type: 'integer' },
    processDefinitionKey: keySchema,
    elementId: { type: 'string' },
    elementInstanceKey: keySchema,
    customHeaders: { type: 'object', additionalProperties: { type: 'string' } },
    worker: { type: 'string' },
    retries: { type: 'integer' },
    deadline: { type: 'integer', description: 'Lease expiry, ms since the epoch.' },
    variables: variablesSchema,
    tenantId: tenantSchema,
    kind: { type: 'string', enum: ['BPMN_ELEMENT'] },
    listenerEventType: { type: 'string', enum: ['UNSPECIFIED'] },
  },
} as const

const completeBody = {
  type: 'object',
  additionalProperties: false,
  properties: { variables: variablesSchema },
} as const

const failBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    retries: { type: 'integer', minimum: 0, default: 0 },
    errorMessage: { type: 'string' },
    retryBackOff: int64Schema({ minimum: 0, description: 'ms before the job is offered again.' }),
  },
} as const

const errorBody = {
  type: 'object',
  required: ['errorCode'],
  additionalProperties: false,
  properties: {
    errorCode: { type: 'string', minLength: 1 },
    errorMessage: { type: 'string' },
    variables: variablesSchema,
  },
} as const

export function registerJobRoutes(app: FastifyInstance, context: ServerContext): void {
  const { engine } = context
  const access = ['worker'] as const

  app.post<{ Body: ActivateJobsRequest }>(
    '/v2/jobs/activation',
    {
      schema: { body: activateBody },
      config: {
        access,
        doc: {
          summary: 'Activate jobs of a type (long polling)',
          description:
            'Leases up to maxJobsToActivate jobs to the worker for `timeout` ms. With none available, waits up to requestTimeout for one.',
          tags: ['Job'],
          responses: {
            200: {
              description: 'The jobs leased (maybe none)',
              schema: {
                type: 'object',
                properties: { jobs: { type: 'array', items: activatedJobSchema } },
              },
            },
          },
        },
      },
    },
    async (request, reply): Promise<ActivateJobsResponse> => {
      const body = request.body
      const requested = int64Of(body.requestTimeout, 'body.requestTimeout') ?? 0
      const waitMs =
        requested < 0
          ? 0
          : Math.min(requested === 0 ? DEFAULT_LONG_POLL_MS : requested, MAX_LONG_POLL_MS)
      // A worker that hangs up stops waiting; jobs already leased to it return after the lease.
      const gone = new AbortController()
      reply.raw.once('close', () => {
        if (!reply.raw.writableEnded) gone.abort()
      })
      const jobs = await context.activations.activate(
        {
          type: body.type,
          worker: body.worker ?? 'anonymous',
          timeoutMs: int64Of(body.timeout, 'body.timeout', 1),
          max: body.maxJobsToActivate,
          waitMs,
        },
        gone.signal,
      )
      return {
        jobs: jobs.map((job) =>
          activatedJobWire(
            job,
            engine.processDefinition(job.processDefinitionKey)?.version ?? 0,
            body.fetchVariable,
          ),
        ),
      }
    },
  )

  app.post<{ Params: { key: string }; Body: CompleteJobRequest }>(
    '/v2/jobs/:key/completion',
    {
      schema: { params: keyParams, body: completeBody },
      config: {
        access,
        doc: {
          summary: 'Complete a job',
          description:
            'Its variables are merged into the job element scope (then output mappings apply).',
          tags: ['Job'],
          responses: { 204: { description: 'Completed' } },
        },
      },
    },
    async (request, reply) => {
      await engine.completeJob(request.params.key, request.body.variables ?? {})
      context.jobsMayExist()
      return reply.code(204).send()
    },
  )

  app.post<{ Params: { key: string }; Body: FailJobRequest }>(
    '/v2/jobs/:key/failure',
    {
      schema: { params: keyParams, body: failBody },
      config: {
        access,
        doc: {
          summary: 'Fail a job',
          description:
            'With retries left, the job is offered again after retryBackOff ms; with none, an incident is raised.',
          tags: ['Job'],
          responses: { 204: { description: 'Failed' } },
        },
      },
    },
    async (request, reply) => {
      const body = request.body
      const backoff = int64Of(body.retryBackOff, 'body.retryBackOff', 0)
      await engine.failJob(request.params.key, {
        retries: body.retries ?? 0,
        ...(body.errorMessage === undefined ? {} : { errorMessage: body.errorMessage }),
        ...(backoff === undefined ? {} : { retryBackoffMs: backoff }),
      })
      context.jobsMayExist()
      return reply.code(204).send()
    },
  )

  app.post<{ Params: { key: string }; Body: ThrowJobErrorRequest }>(
    '/v2/jobs/:key/error',
    {
      schema: { params: keyParams, body: errorBody },
      config: {
        access,
        doc: {
          summary: 'Throw a BPMN error from a job',
          description:
            'Caught by the nearest error boundary or event subprocess; uncaught, an incident.',
          tags: ['Job'],
          responses: { 204: { description: 'Thrown' } },
        },
      },
    },
    async (request, reply) => {
      const body = request.body
      await engine.throwJobError(
        request.params.key,
        body.errorCode,
        body.errorMessage,
        body.variables,
      )
      context.jobsMayExist()
      return reply.code(204).send()
    },
  )
}
