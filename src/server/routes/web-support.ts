/**
 * Routes the web app needs beyond the REST v2 subset: who the caller is (for a role-aware
 * navigation), the form-js schema of a user task or of a process's start event (embedded
 * `zeebe:userTaskForm` bodies, read from the deployed XML), and setting variables on a scope.
 */
import { createRequire } from 'node:module'
import { BpmnModdle } from 'bpmn-moddle'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { JsonValue, Variables } from '../../client/wire-types.ts'
import { BatonError } from '../../errors.ts'
import { compileBpmn } from '../../model/compile-bpmn.ts'
import type { ModdleElement } from '../../model/moddle-element.ts'
import type { ModelProblem } from '../../model/types.ts'
import { mayWorkUserTask, principalOf } from '../auth.ts'
import type { ServerContext } from '../context.ts'
import { keyParams, keySchema, modelProblemSchema, variablesSchema } from '../schemas.ts'

const zeebeDescriptor: unknown = createRequire(import.meta.url)(
  'zeebe-bpmn-moddle/resources/zeebe.json',
)

/** The caller, as `GET /baton/whoami` answers. */
export interface WhoAmIResponse {
  readonly role: string
  readonly user?: string
  readonly groups: readonly string[]
}

/** A form to render: the form-js schema, or null when the element has none Baton can show. */
export interface FormResponse {
  readonly formKey?: string
  readonly formId?: string
  readonly schema: { readonly [key: string]: JsonValue } | null
  /** For a user task: the variables its element sees (the form's data). */
  readonly variables?: Variables
}

interface ElementForms {
  /** Form schemas by element id (user tasks and start events with an embedded form). */
  readonly byElement: ReadonlyMap<string, FormResponse>
  /** Start events of the process with a form, in document order. */
  readonly startEvents: readonly string[]
}

function children(element: ModdleElement, property: string): ModdleElement[] {
  const value = (element as unknown as Record<string, unknown>)[property]
  return Array.isArray(value) ? (value as ModdleElement[]) : []
}

function extensionValues(element: ModdleElement): ModdleElement[] {
  const extensions = (element as unknown as { extensionElements?: { values?: ModdleElement[] } })
    .extensionElements
  return extensions?.values ?? []
}

function prop(element: ModdleElement, name: string): string | undefined {
  const value = (element as unknown as Record<string, unknown>)[name]
  return typeof value === 'string' ? value : undefined
}

/** Reads every embedded form of a deployed process (the BPMN XML as deployed). */
async function readForms(xml: string, bpmnProcessId: string): Promise<ElementForms> {
  const moddle = new BpmnModdle({ zeebe: zeebeDescriptor })
  const { rootElement } = await moddle.fromXML(xml)
  const definitions = rootElement as ModdleElement
  const process = children(definitions, 'rootElements').find(
    (element) => element.$type === 'bpmn:Process' && prop(element, 'id') === bpmnProcessId,
  )
  const byElement = new Map<string, FormResponse>()
  const startEvents: string[] = []
  if (!process) return { byElement, startEvents }
  const bodies = new Map<string, string>()
  for (const value of extensionValues(process)) {
    const id = prop(value, 'id')
    const body = prop(value, 'body')
    if (value.$type === 'zeebe:UserTaskForm' && id !== undefined && body !== undefined) {
      bodies.set(id, body)
    }
  }
  const visit = (scope: ModdleElement, topLevel: boolean): void => {
    for (const element of children(scope, 'flowElements')) {
      if (element.$type === 'bpmn:SubProcess') visit(element, false)
      const definition = extensionValues(element).find((v) => v.$type === 'zeebe:FormDefinition')
      if (!definition) continue
      const id = prop(element, 'id')
      if (id === undefined) continue
      const formKey = prop(definition, 'formKey')
      const formId = prop(definition, 'formId')
      const embedded = formKey === undefined ? null : /^camunda-forms:bpmn:(.+)$/.exec(formKey)
      const body = embedded ? bodies.get(embedded[1] as string) : undefined
      let schema: FormResponse['schema'] = null
      if (body !== undefined) {
        try {
          schema = JSON.parse(body) as FormResponse['schema']
        } catch {
          schema = null
        }
      }
      byElement.set(id, {
        ...(formKey === undefined ? {} : { formKey }),
        ...(formId === undefined ? {} : { formId }),
        schema,
      })
      if (topLevel && element.$type === 'bpmn:StartEvent') startEvents.push(id)
    }
  }
  visit(process, true)
  return { byElement, startEvents }
}

/** What `POST /baton/validations` answers. */
export interface ValidationResponse {
  readonly errors: readonly ModelProblem[]
  readonly warnings: readonly ModelProblem[]
}

const formResponseSchema = {
  type: 'object',
  properties: {
    formKey: { type: 'string' },
    formId: { type: 'string' },
    schema: { type: ['object', 'null'], additionalProperties: true },
    variables: { type: 'object', additionalProperties: true },
  },
} as const

export function registerWebSupportRoutes(app: FastifyInstance, context: ServerContext): void {
  const { engine } = context
  // Deployed XML never changes under a key: its forms are read once.
  const cache = new Map<string, Promise<ElementForms>>()
  const formsOf = (processDefinitionKey: string): Promise<ElementForms> => {
    let forms = cache.get(processDefinitionKey)
    if (!forms) {
      const record = engine.processDefinition(processDefinitionKey)
      if (!record) {
        throw new BatonError(
          'BATON_PROCESS_NOT_FOUND',
          `no process definition with key ${processDefinitionKey}; list them with GET /baton/process-definitions`,
        )
      }
      forms = readForms(record.xml, record.bpmnProcessId)
      cache.set(processDefinitionKey, forms)
    }
    return forms
  }

  app.get(
    '/baton/whoami',
    {
      config: {
        access: 'authenticated',
        doc: {
          summary: 'The role, user and groups of the calling token',
          tags: ['Baton'],
          responses: {
            200: {
              description: 'The caller',
              schema: {
                type: 'object',
                properties: {
                  role: { type: 'string', enum: ['admin', 'operator', 'worker', 'task-user'] },
                  user: { type: 'string' },
                  groups: { type: 'array', items: { type: 'string' } },
                },
              },
            },
          },
        },
      },
    },
    async (request: FastifyRequest): Promise<WhoAmIResponse> => {
      const principal = principalOf(request)
      return {
        role: principal.role,
        ...(principal.user === undefined ? {} : { user: principal.user }),
        groups: principal.groups,
      }
    },
  )

  app.get<{ Params: { key: string } }>(
    '/baton/user-tasks/:key/form',
    {
      schema: { params: keyParams },
      config: {
        access: ['task-user'],
        doc: {
          summary: "A user task's form (form-js schema)",
          description:
            'The embedded zeebe:userTaskForm the task links with its formKey; schema is null when the task has no form Baton can show (then edit variables instead).',
          tags: ['Baton'],
          responses: { 200: { description: 'The form', schema: formResponseSchema } },
        },
      },
    },
    async (request): Promise<FormResponse> => {
      const task = await engine.getUserTask(request.params.key)
      if (!task) {
        throw new BatonError(
          'BATON_USER_TASK_NOT_FOUND',
          `no user task with key ${request.params.key}`,
        )
      }
      const principal = principalOf(request)
      if (!mayWorkUserTask(principal, task)) {
        throw new BatonError(
          'BATON_AUTH_FORBIDDEN',
          `user task ${task.key} is neither assigned to '${principal.user ?? ''}' nor offered to them or their groups`,
        )
      }
      const forms = await formsOf(task.processDefinitionKey)
      const form = forms.byElement.get(task.elementId) ?? {
        ...(task.formKey === null ? {} : { formKey: task.formKey }),
        ...(task.formId === null ? {} : { formId: task.formId }),
        schema: null,
      }
      // The variables the task's element sees, inner scopes shadowing outer ones: the form's
      // data (a task-user token cannot search variables itself).
      const record = await engine.getInstance(task.instanceKey)
      const variables: Variables = {}
      if (record && task.status === 'created') {
        const state = record.state
        const chain: string[] = []
        let scope: string | undefined = task.elementInstanceKey
        while (scope !== undefined && !chain.includes(scope)) {
          chain.push(scope)
          scope =
            scope === state.key ? undefined : (state.elements[scope]?.flowScopeKey ?? state.key)
        }
        for (const key of chain.reverse()) Object.assign(variables, state.variables[key] ?? {})
      }
      return { ...form, variables }
    },
  )

  app.get<{ Params: { key: string } }>(
    '/baton/process-definitions/:key/start-form',
    {
      schema: { params: keyParams },
      config: {
        access: ['operator'],
        doc: {
          summary: "A process's start form (form-js schema)",
          description:
            "The embedded form of the process's none start event; schema is null when it has none (start with variables instead).",
          tags: ['Baton'],
          responses: { 200: { description: 'The form', schema: formResponseSchema } },
        },
      },
    },
    async (request): Promise<FormResponse> => {
      const forms = await formsOf(request.params.key)
      const first = forms.startEvents[0]
      return (first === undefined ? undefined : forms.byElement.get(first)) ?? { schema: null }
    },
  )

  app.post<{ Body: { xml: string } }>(
    '/baton/validations',
    {
      schema: {
        body: {
          type: 'object',
          required: ['xml'],
          additionalProperties: false,
          properties: { xml: { type: 'string', description: 'BPMN XML' } },
        },
      },
      config: {
        access: ['operator'],
        doc: {
          summary: 'Check a BPMN model without deploying it',
          description:
            'The problems a deployment of this model would be rejected with (errors), and warnings; each names its element.',
          tags: ['Baton'],
          responses: {
            200: {
              description: 'The problems found (none: the model deploys)',
              schema: {
                type: 'object',
                properties: {
                  errors: { type: 'array', items: modelProblemSchema },
                  warnings: { type: 'array', items: modelProblemSchema },
                },
              },
            },
          },
        },
      },
    },
    async (request): Promise<ValidationResponse> => {
      const result = await compileBpmn(request.body.xml)
      return result.ok
        ? { errors: [], warnings: result.warnings }
        : { errors: result.problems, warnings: [] }
    },
  )

  app.put<{ Params: { key: string }; Body: { scopeKey?: string; variables: Variables } }>(
    '/baton/process-instances/:key/variables',
    {
      schema: {
        params: keyParams,
        body: {
          type: 'object',
          required: ['variables'],
          additionalProperties: false,
          properties: {
            scopeKey: { ...keySchema, description: 'An element instance (default: the instance).' },
            variables: variablesSchema,
          },
        },
      },
      config: {
        access: ['operator'],
        doc: {
          summary: 'Set variables on an instance or one of its scopes',
          description:
            'Each variable is set on the given scope (local), creating or replacing it; the audit trail records the change.',
          tags: ['Baton'],
          responses: { 204: { description: 'Set' } },
        },
      },
    },
    async (request, reply) => {
      const { key } = request.params
      if (!(await engine.getInstance(key))) {
        throw new BatonError('BATON_INSTANCE_NOT_FOUND', `no process instance with key ${key}`)
      }
      await engine.setVariables(key, request.body.variables, {
        scopeKey: request.body.scopeKey ?? key,
        local: true,
      })
      context.jobsMayExist()
      return reply.code(204).send()
    },
  )
}
