/**
 * Messages from outside: publish one (correlated now, or kept for a while), or correlate one that
 * must reach a waiting instance or message start event right away.
 */
import type { FastifyInstance } from 'fastify'
import type {
  CorrelateMessageRequest,
  CorrelateMessageResponse,
  PublishMessageRequest,
  PublishMessageResponse,
} from '../../client/wire-types.ts'
import { DEFAULT_TENANT } from '../../client/wire-types.ts'
import { BatonError } from '../../errors.ts'
import type { ServerContext } from '../context.ts'
import { int64Of, int64Schema, keySchema, tenantSchema, variablesSchema } from '../schemas.ts'

const nameSchema = { type: 'string', minLength: 1, description: 'The message name in the BPMN.' }
const correlationKeySchema = {
  type: 'string',
  description: 'Matched against the correlation key of each waiting subscription (default "").',
}

const publishBody = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: nameSchema,
    correlationKey: correlationKeySchema,
    timeToLive: int64Schema({
      minimum: 0,
      description:
        'ms to keep the message for subscriptions that open later, when it correlated to none now (default 0).',
    }),
    messageId: {
      type: 'string',
      minLength: 1,
      description: 'While a message with this id is kept, another one with it is refused (409).',
    },
    variables: variablesSchema,
    tenantId: tenantSchema,
  },
} as const

const correlateBody = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: nameSchema,
    correlationKey: correlationKeySchema,
    variables: variablesSchema,
    tenantId: tenantSchema,
  },
} as const

const messageResultSchema = {
  type: 'object',
  properties: { messageKey: keySchema, tenantId: tenantSchema },
} as const

export function registerMessageRoutes(app: FastifyInstance, context: ServerContext): void {
  const { engine } = context
  const access = ['operator'] as const

  app.post<{ Body: PublishMessageRequest }>(
    '/v2/messages/publication',
    {
      schema: { body: publishBody },
      config: {
        access,
        doc: {
          summary: 'Publish a message',
          description:
            'Correlated to every instance waiting for its name and correlation key, and starts instances at matching message start events (not while an instance that a message with the same non-empty correlation key started is active). With a timeToLive, a message that correlated to none is kept for subscriptions that open later. A messageId still kept is refused with 409; a store without event subscriptions answers 501.',
          tags: ['Message'],
          responses: { 200: { description: 'Published', schema: messageResultSchema } },
        },
      },
    },
    async (request): Promise<PublishMessageResponse> => {
      const body = request.body
      const timeToLiveMs = int64Of(body.timeToLive, 'body.timeToLive', 0)
      const published = await engine.publishMessage({
        name: body.name,
        ...(body.correlationKey === undefined ? {} : { correlationKey: body.correlationKey }),
        ...(body.variables === undefined ? {} : { variables: body.variables }),
        ...(timeToLiveMs === undefined ? {} : { timeToLiveMs }),
        ...(body.messageId === undefined ? {} : { messageId: body.messageId }),
      })
      context.jobsMayExist()
      return { messageKey: published.messageKey, tenantId: DEFAULT_TENANT }
    },
  )

  app.post<{ Body: CorrelateMessageRequest }>(
    '/v2/messages/correlation',
    {
      schema: { body: correlateBody },
      config: {
        access,
        doc: {
          summary: 'Correlate a message now',
          description:
            'Like a publication that is never kept: it must reach a waiting instance or a message start event at once, else 404.',
          tags: ['Message'],
          responses: { 200: { description: 'Correlated', schema: messageResultSchema } },
        },
      },
    },
    async (request): Promise<CorrelateMessageResponse> => {
      const body = request.body
      const correlationKey = body.correlationKey ?? ''
      const published = await engine.publishMessage({
        name: body.name,
        correlationKey,
        ...(body.variables === undefined ? {} : { variables: body.variables }),
        timeToLiveMs: 0,
      })
      if (published.correlatedInstances === 0 && published.heldStarts.length > 0) {
        throw new BatonError(
          'BATON_SUBSCRIPTION_NOT_FOUND',
          `message '${body.name}' with correlation key '${correlationKey}' starts no instance of ${published.heldStarts.map((id) => `'${id}'`).join(', ')}: the instance a message with this correlation key started is still active; publish it with a timeToLive (POST /v2/messages/publication) to start the next instance when that one ends`,
        )
      }
      if (published.correlatedInstances === 0) {
        throw new BatonError(
          'BATON_SUBSCRIPTION_NOT_FOUND',
          `no process instance waits for message '${body.name}' with correlation key '${correlationKey}', and no process starts with it; check body.name and body.correlationKey, or publish it with a timeToLive (POST /v2/messages/publication) to keep it for later`,
        )
      }
      context.jobsMayExist()
      return { messageKey: published.messageKey, tenantId: DEFAULT_TENANT }
    },
  )
}
