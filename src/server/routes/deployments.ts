/** `POST /v2/deployments`: BPMN and DMN files as multipart/form-data, one part per file. */
import type { FastifyInstance } from 'fastify'
import type { DeploymentResponse } from '../../client/wire-types.ts'
import { DEFAULT_TENANT } from '../../client/wire-types.ts'
import { BatonError } from '../../errors.ts'
import type { DeployResource } from '../../runtime/definitions.ts'
import type { ServerContext } from '../context.ts'
import { keySchema, modelProblemSchema, tenantSchema } from '../schemas.ts'

const deployedProcessSchema = {
  type: 'object',
  properties: {
    processDefinitionId: { type: 'string', description: 'The BPMN process id.' },
    processDefinitionVersion: { type: 'integer' },
    processDefinitionKey: keySchema,
    resourceName: { type: 'string' },
    tenantId: tenantSchema,
  },
} as const

const deployedDecisionSchema = {
  type: 'object',
  properties: {
    decisionDefinitionId: { type: 'string', description: 'The DMN decision id.' },
    version: { type: 'integer' },
    name: { type: ['string', 'null'] },
    decisionDefinitionKey: keySchema,
    decisionRequirementsId: { type: 'string', description: 'The id of the DMN definitions.' },
    resourceName: { type: 'string' },
    tenantId: tenantSchema,
  },
} as const

const deploymentSchema = {
  type: 'object',
  properties: {
    deploymentKey: keySchema,
    tenantId: tenantSchema,
    deployments: {
      type: 'array',
      items: {
        type: 'object',
        description: 'A deployed process or a deployed decision.',
        properties: {
          processDefinition: deployedProcessSchema,
          decisionDefinition: deployedDecisionSchema,
        },
      },
    },
    warnings: {
      type: 'array',
      description:
        "A Baton extension: the model compiler's warnings on the deployed BPMN files, in file order (empty when none). A file without any executable process deploys as a descriptive diagram; the rules only executable processes must keep are warnings there, saying what Baton does instead.",
      items: {
        ...modelProblemSchema,
        required: ['resourceName', ...modelProblemSchema.required],
        properties: {
          resourceName: { type: 'string', description: 'The deployed file it is in.' },
          ...modelProblemSchema.properties,
        },
      },
    },
  },
} as const

export function registerDeploymentRoutes(app: FastifyInstance, context: ServerContext): void {
  app.post(
    '/v2/deployments',
    {
      config: {
        access: ['operator'],
        doc: {
          summary: 'Deploy BPMN and DMN resources',
          description:
            'All or nothing: one invalid file rejects the deployment with the problems of every file. Content deployed before is a no-op (same key and version). DMN files (told apart by their namespace, or a .dmn name) deploy their decisions, versioned by decision id.',
          tags: ['Deployment'],
          multipart: {
            type: 'object',
            required: ['resources'],
            properties: {
              resources: {
                type: 'array',
                items: { type: 'string', format: 'binary' },
                description: 'One or more BPMN or DMN files.',
              },
              tenantId: tenantSchema,
            },
          },
          responses: {
            200: {
              description: 'The deployed processes and decisions, and the warnings of the files',
              schema: deploymentSchema,
            },
          },
        },
      },
    },
    async (request): Promise<DeploymentResponse> => {
      if (!request.isMultipart()) {
        throw new BatonError(
          'BATON_REQUEST_MEDIA_TYPE',
          'send the BPMN and DMN files as multipart/form-data, one file part per resource (field name "resources")',
        )
      }
      const resources: DeployResource[] = []
      for await (const part of request.parts()) {
        if (part.type === 'file') {
          const content = await part.toBuffer()
          resources.push({
            name: part.filename || `${part.fieldname}-${resources.length + 1}.bpmn`,
            xml: content.toString('utf8'),
          })
        } else if (part.fieldname === 'tenantId') {
          if (part.value !== DEFAULT_TENANT) {
            throw new BatonError(
              'BATON_REQUEST_INVALID',
              `body.tenantId must be '${DEFAULT_TENANT}' (Baton has one tenant), got ${JSON.stringify(part.value)}`,
            )
          }
        } else {
          throw new BatonError(
            'BATON_REQUEST_INVALID',
            `body.${part.fieldname} is not a known field; send files as "resources" and optionally "tenantId"`,
          )
        }
      }
      const deployed = await context.engine.deployResources(resources)
      return {
        deploymentKey: deployed.processes[0]?.key ?? deployed.decisions[0]?.key ?? '0',
        tenantId: DEFAULT_TENANT,
        deployments: [
          ...deployed.processes.map((d) => ({
            processDefinition: {
              processDefinitionId: d.bpmnProcessId,
              processDefinitionVersion: d.version,
              processDefinitionKey: d.key,
              resourceName: d.resourceName,
              tenantId: DEFAULT_TENANT,
            },
          })),
          ...deployed.decisions.map((d) => ({
            decisionDefinition: {
              decisionDefinitionId: d.decisionId,
              version: d.version,
              name: d.name,
              decisionDefinitionKey: d.key,
              decisionRequirementsId: d.decisionRequirementsId,
              resourceName: d.resourceName,
              tenantId: DEFAULT_TENANT,
            },
          })),
        ],
        warnings: deployed.warnings,
      }
    },
  )
}
