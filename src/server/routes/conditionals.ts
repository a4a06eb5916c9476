/**
 * `POST /v2/conditionals/evaluation`: evaluates the root-level conditional start events against
 * the given variables and starts an instance at each one whose condition holds (Camunda 8.9).
 */
import type { FastifyInstance } from 'fastify'
import type {
  EvaluateConditionalsRequest,
  EvaluateConditionalsResponse,
} from '../../client/wire-types.ts'
import { DEFAULT_TENANT } from '../../client/wire-types.ts'
import type { ServerContext } from '../context.ts'
import { keySchema, tenantSchema, variablesSchema } from '../schemas.ts'

const evaluationBody = {
  type: 'object',
  required: ['variables'],
  additionalProperties: false,
  properties: {
    variables: variablesSchema,
    processDefinitionKey: {
      ...keySchema,
      description: 'Evaluate only this process definition; else the latest version of each.',
    },
    tenantId: tenantSchema,
  },
} as const

export function registerConditionalRoutes(app: FastifyInstance, context: ServerContext): void {
  app.post<{ Body: EvaluateConditionalsRequest }>(
    '/v2/conditionals/evaluation',
    {
      schema: { body: evaluationBody },
      config: {
        access: ['operator'],
        doc: {
          summary: 'Evaluate conditional start events',
          description:
            'Evaluates the conditions of the root-level conditional start events of the latest version of every process (or of the definition given) against the variables, and starts an instance with those variables at each start event whose condition is true. A condition that is not true (false, null, or failing) starts nothing. 404 when the definition given is not deployed.',
          tags: ['Conditional'],
          responses: {
            200: {
              description: 'The instances started (none is not an error)',
              schema: {
                type: 'object',
                properties: {
                  conditionalEvaluationKey: keySchema,
                  tenantId: tenantSchema,
                  processInstances: {
                    type: 'array',
                    items: {
                      type: 'object',
                      properties: {
                        processDefinitionKey: keySchema,
                        processInstanceKey: keySchema,
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
    async (request): Promise<EvaluateConditionalsResponse> => {
      const body = request.body
      const evaluation = await context.engine.evaluateConditionals(
        body.variables,
        body.processDefinitionKey === undefined
          ? {}
          : { processDefinitionKey: body.processDefinitionKey },
      )
      if (evaluation.instances.length > 0) context.jobsMayExist()
      return {
        conditionalEvaluationKey: evaluation.key,
        tenantId: DEFAULT_TENANT,
        processInstances: evaluation.instances.map((s) => ({
          processDefinitionKey: s.processDefinitionKey,
          processInstanceKey: s.instanceKey,
        })),
      }
    },
  )
}
