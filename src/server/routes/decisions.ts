/** `POST /v2/decision-definitions/evaluation`: evaluates a deployed DMN decision. */
import type { FastifyInstance } from 'fastify'
import type {
  EvaluateDecisionRequest,
  EvaluateDecisionResponse,
  EvaluatedDecisionWire,
} from '../../client/wire-types.ts'
import { DEFAULT_TENANT } from '../../client/wire-types.ts'
import { BatonError } from '../../errors.ts'
import type { DecisionEvaluation } from '../../runtime/decisions.ts'
import type { Engine } from '../../runtime/engine.ts'
import type { ServerContext } from '../context.ts'
import { keySchema, tenantSchema, variablesSchema } from '../schemas.ts'

const evaluateBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    decisionDefinitionId: {
      type: 'string',
      minLength: 1,
      description: 'The DMN decision id: its latest version is evaluated.',
    },
    decisionDefinitionKey: { ...keySchema, description: 'One deployed version of a decision.' },
    variables: variablesSchema,
    tenantId: tenantSchema,
  },
} as const

const matchedRuleSchema = {
  type: 'object',
  properties: { ruleId: { type: 'string' }, ruleIndex: { type: 'integer' } },
} as const

const evaluatedDecisionSchema = {
  type: 'object',
  properties: {
    decisionDefinitionId: { type: 'string' },
    decisionDefinitionKey: keySchema,
    decisionDefinitionName: { type: ['string', 'null'] },
    decisionDefinitionVersion: { type: 'integer' },
    output: { type: 'string', description: 'The value as JSON text.' },
    matchedRules: { type: 'array', items: matchedRuleSchema },
    evaluatedInputs: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          inputId: { type: 'string' },
          inputName: { type: 'string' },
          inputValue: { type: 'string', description: 'The value as JSON text.' },
        },
      },
    },
    tenantId: tenantSchema,
  },
} as const

const evaluationSchema = {
  type: 'object',
  properties: {
    decisionDefinitionId: { type: 'string' },
    decisionDefinitionKey: keySchema,
    decisionDefinitionName: { type: ['string', 'null'] },
    decisionDefinitionVersion: { type: 'integer' },
    decisionRequirementsId: { type: 'string' },
    output: { type: 'string', description: "The called decision's value as JSON text." },
    evaluatedDecisions: { type: 'array', items: evaluatedDecisionSchema },
    tenantId: tenantSchema,
  },
} as const

/**
 * The called decision first, then every decision it required that matched rules (found among
 * the decisions deployed from the same file).
 */
function evaluatedDecisions(
  engine: Engine,
  evaluation: DecisionEvaluation,
): EvaluatedDecisionWire[] {
  const called = engine.decisionDefinition(evaluation.decisionKey)
  const ids = [
    evaluation.decisionId,
    ...new Set(
      evaluation.matchedRules
        .map((rule) => rule.decisionId)
        .filter((id) => id !== evaluation.decisionId),
    ),
  ]
  return ids.flatMap((id) => {
    const record =
      id === evaluation.decisionId
        ? called
        : engine
            .decisionDefinitions()
            .find((d) => d.decisionId === id && d.contentHash === called?.contentHash)
    if (record === undefined) return []
    const value =
      id === evaluation.decisionId
        ? evaluation.result
        : (evaluation.outputs[record.name ?? id] ?? evaluation.outputs[id] ?? null)
    return [
      {
        decisionDefinitionId: record.decisionId,
        decisionDefinitionKey: record.key,
        decisionDefinitionName: record.name,
        decisionDefinitionVersion: record.version,
        output: JSON.stringify(value),
        matchedRules: evaluation.matchedRules
          .filter((rule) => rule.decisionId === id)
          .map((rule) => ({ ruleId: rule.ruleId ?? '', ruleIndex: rule.ruleIndex })),
        evaluatedInputs:
          id === evaluation.decisionId
            ? Object.entries(evaluation.inputs ?? {}).map(([name, value]) => ({
                inputId: name,
                inputName: name,
                inputValue: JSON.stringify(value),
              }))
            : [],
        tenantId: DEFAULT_TENANT,
      },
    ]
  })
}

export function registerDecisionRoutes(app: FastifyInstance, context: ServerContext): void {
  app.post<{ Body: EvaluateDecisionRequest }>(
    '/v2/decision-definitions/evaluation',
    {
      schema: { body: evaluateBody },
      config: {
        access: ['operator'],
        doc: {
          summary: 'Evaluate a decision',
          description:
            'Evaluates the latest version of decisionDefinitionId, or the version decisionDefinitionKey names, with the given variables. Answers the value, the decisions evaluated on the way and the rules that matched. A missing decision is 404; a failed evaluation (e.g. two rules of a UNIQUE table match) is 422.',
          tags: ['Decision definition'],
          responses: { 200: { description: 'Evaluated', schema: evaluationSchema } },
        },
      },
    },
    async (request): Promise<EvaluateDecisionResponse> => {
      const body = request.body
      const engine = context.engine
      if (
        (body.decisionDefinitionId === undefined) ===
        (body.decisionDefinitionKey === undefined)
      ) {
        throw new BatonError(
          'BATON_REQUEST_INVALID',
          'body: give exactly one of decisionDefinitionId (the DMN decision id) or decisionDefinitionKey',
        )
      }
      let evaluation: DecisionEvaluation
      if (body.decisionDefinitionKey !== undefined) {
        const record = engine.decisionDefinition(body.decisionDefinitionKey)
        if (record === undefined) {
          throw new BatonError(
            'BATON_DECISION_NOT_FOUND',
            `no decision definition with key ${body.decisionDefinitionKey} is deployed`,
          )
        }
        evaluation = await engine.evaluateDecision(record.decisionId, body.variables ?? {}, {
          version: record.version,
        })
      } else {
        evaluation = await engine.evaluateDecision(
          body.decisionDefinitionId ?? '',
          body.variables ?? {},
        )
      }
      return {
        decisionDefinitionId: evaluation.decisionId,
        decisionDefinitionKey: evaluation.decisionKey,
        decisionDefinitionName: evaluation.decisionName,
        decisionDefinitionVersion: evaluation.version,
        decisionRequirementsId: evaluation.decisionRequirementsId,
        output: JSON.stringify(evaluation.result),
        evaluatedDecisions: evaluatedDecisions(engine, evaluation),
        tenantId: DEFAULT_TENANT,
      }
    },
  )
}
