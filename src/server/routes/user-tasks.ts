/** Human tasks: find, read, assign, unassign, complete. Task-users see only their own tasks. */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type {
  AssignUserTaskRequest,
  CompleteUserTaskRequest,
  SearchRequest,
  SearchResult,
  UserTaskFilter,
  UserTaskWire,
} from '../../client/wire-types.ts'
import { BatonError } from '../../errors.ts'
import type { UserTaskFilter as StoreUserTaskFilter, UserTaskRecord } from '../../store/store.ts'
import { mayWorkUserTask, principalOf } from '../auth.ts'
import type { ServerContext } from '../context.ts'
import {
  isoDateSchema,
  keyParams,
  keySchema,
  searchBody,
  searchResult,
  tenantSchema,
  variablesSchema,
} from '../schemas.ts'
import { checkSort, keysetSearch } from '../search.ts'
import { userTaskStatusOf, userTaskWire } from '../wire.ts'

const stateSchema = { type: 'string', enum: ['CREATED', 'COMPLETED', 'CANCELED'] } as const

const userTaskSchema = {
  type: 'object',
  properties: {
    userTaskKey: keySchema,
    name: { type: 'string' },
    state: stateSchema,
    assignee: { type: 'string', description: 'Absent while the task is unassigned.' },
    candidateUsers: { type: 'array', items: { type: 'string' } },
    candidateGroups: { type: 'array', items: { type: 'string' } },
    elementId: { type: 'string' },
    elementInstanceKey: keySchema,
    processInstanceKey: keySchema,
    processDefinitionKey: keySchema,
    processDefinitionId: { type: 'string' },
    externalFormReference: { type: 'string', description: 'A custom form key.' },
    formId: { type: 'string', description: "A linked form's id." },
    dueDate: { type: 'string' },
    followUpDate: { type: 'string' },
    priority: { type: 'integer' },
    creationDate: isoDateSchema,
    completionDate: isoDateSchema,
    tenantId: tenantSchema,
  },
} as const

const filterSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    userTaskKey: keySchema,
    state: stateSchema,
    assignee: { type: 'string' },
    candidateUser: { type: 'string' },
    candidateGroup: { type: 'string' },
    processInstanceKey: keySchema,
    processDefinitionId: { type: 'string' },
    elementId: { type: 'string' },
    tenantId: tenantSchema,
  },
} as const

const assignBody = {
  type: 'object',
  required: ['assignee'],
  additionalProperties: false,
  properties: {
    assignee: { type: 'string', minLength: 1 },
    allowOverride: { type: 'boolean', default: true },
    action: { type: 'string', description: 'Accepted and ignored.' },
  },
} as const

const completeBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    variables: variablesSchema,
    action: { type: 'string', description: 'Accepted and ignored.' },
  },
} as const

export function registerUserTaskRoutes(app: FastifyInstance, context: ServerContext): void {
  const { engine } = context
  const access = ['task-user'] as const

  /** The task, if it exists and the caller may see it. */
  async function visibleTask(request: FastifyRequest, key: string): Promise<UserTaskRecord> {
    const task = await engine.getUserTask(key)
    if (!task) throw new BatonError('BATON_USER_TASK_NOT_FOUND', `no user task with key ${key}`)
    const principal = principalOf(request)
    if (!mayWorkUserTask(principal, task)) {
      throw new BatonError(
        'BATON_AUTH_FORBIDDEN',
        `user task ${key} is neither assigned to '${principal.user ?? ''}' nor offered to them or their groups`,
      )
    }
    return task
  }

  app.post<{ Body: SearchRequest<UserTaskFilter> }>(
    '/v2/user-tasks/search',
    {
      schema: { body: searchBody(filterSchema, ['userTaskKey']) },
      config: {
        access,
        doc: {
          summary: 'Search user tasks',
          description:
            'A task-user token finds only tasks assigned or offered to its user or groups.',
          tags: ['User task'],
          responses: {
            200: { description: 'Matching tasks', schema: searchResult(userTaskSchema) },
          },
        },
      },
    },
    async (request): Promise<SearchResult<UserTaskWire>> => {
      const body = request.body
      checkSort(body.sort, 'userTaskKey')
      const filter = body.filter ?? {}
      const principal = principalOf(request)
      const accept = (task: UserTaskRecord): boolean =>
        mayWorkUserTask(principal, task) &&
        (filter.elementId === undefined || task.elementId === filter.elementId) &&
        (filter.userTaskKey === undefined || task.key === filter.userTaskKey)
      if (filter.userTaskKey !== undefined) {
        const task = await engine.getUserTask(filter.userTaskKey)
        const others: StoreUserTaskFilter = storeFilterOf(filter)
        const matches =
          task !== undefined &&
          accept(task) &&
          (others.status === undefined || task.status === others.status) &&
          (others.assignee === undefined || task.assignee === others.assignee) &&
          (others.instanceKey === undefined || task.instanceKey === others.instanceKey) &&
          (others.bpmnProcessId === undefined || task.bpmnProcessId === others.bpmnProcessId) &&
          (others.candidateUser === undefined ||
            task.candidateUsers.includes(others.candidateUser)) &&
          (others.candidateGroup === undefined ||
            task.candidateGroups.includes(others.candidateGroup))
        return { items: matches ? [userTaskWire(task)] : [], page: { totalItems: matches ? 1 : 0 } }
      }
      const found = await keysetSearch(
        body.page,
        (p) => engine.userTasks(storeFilterOf(filter), p),
        principal.role === 'task-user' || filter.elementId !== undefined ? accept : undefined,
      )
      return { items: found.items.map(userTaskWire), page: found.page }
    },
  )

  app.get<{ Params: { key: string } }>(
    '/v2/user-tasks/:key',
    {
      schema: { params: keyParams },
      config: {
        access,
        doc: {
          summary: 'Get a user task',
          tags: ['User task'],
          responses: { 200: { description: 'The task', schema: userTaskSchema } },
        },
      },
    },
    async (request): Promise<UserTaskWire> =>
      userTaskWire(await visibleTask(request, request.params.key)),
  )

  app.post<{ Params: { key: string }; Body: AssignUserTaskRequest }>(
    '/v2/user-tasks/:key/assignment',
    {
      schema: { params: keyParams, body: assignBody },
      config: {
        access,
        doc: {
          summary: 'Assign a user task',
          description:
            'allowOverride false refuses a task someone else holds (a claim). A task-user may assign a task only to itself.',
          tags: ['User task'],
          responses: { 204: { description: 'Assigned' } },
        },
      },
    },
    async (request, reply) => {
      const { key } = request.params
      const { assignee, allowOverride } = request.body
      await visibleTask(request, key)
      const principal = principalOf(request)
      if (principal.role === 'task-user') {
        if (assignee !== principal.user) {
          throw new BatonError(
            'BATON_AUTH_FORBIDDEN',
            `a task-user token may assign tasks only to its own user '${principal.user ?? ''}', not '${assignee}'`,
          )
        }
        // Task-users claim: they never take a task from someone else.
        await engine.claimUserTask(key, assignee)
      } else if (allowOverride === false) {
        await engine.claimUserTask(key, assignee)
      } else {
        await engine.assignUserTask(key, assignee)
      }
      return reply.code(204).send()
    },
  )

  app.delete<{ Params: { key: string } }>(
    '/v2/user-tasks/:key/assignee',
    {
      schema: { params: keyParams },
      config: {
        access,
        doc: {
          summary: 'Unassign a user task',
          tags: ['User task'],
          responses: { 204: { description: 'Unassigned' } },
        },
      },
    },
    async (request, reply) => {
      const { key } = request.params
      const task = await visibleTask(request, key)
      const principal = principalOf(request)
      if (principal.role === 'task-user' && task.assignee !== principal.user) {
        throw new BatonError(
          'BATON_AUTH_FORBIDDEN',
          `user task ${key} is not assigned to '${principal.user ?? ''}'; only its assignee may unassign it`,
        )
      }
      await engine.unclaimUserTask(key)
      return reply.code(204).send()
    },
  )

  app.post<{ Params: { key: string }; Body: CompleteUserTaskRequest }>(
    '/v2/user-tasks/:key/completion',
    {
      schema: { params: keyParams, body: completeBody },
      config: {
        access,
        doc: {
          summary: 'Complete a user task',
          description: 'A task-user completes only tasks assigned to it (assign it first).',
          tags: ['User task'],
          responses: { 204: { description: 'Completed' } },
        },
      },
    },
    async (request, reply) => {
      const { key } = request.params
      const task = await visibleTask(request, key)
      const principal = principalOf(request)
      if (principal.role === 'task-user' && task.assignee !== principal.user) {
        throw new BatonError(
          'BATON_AUTH_FORBIDDEN',
          `user task ${key} is not assigned to '${principal.user ?? ''}'; assign it to yourself first`,
        )
      }
      await engine.completeUserTask(key, request.body.variables ?? {})
      context.jobsMayExist()
      return reply.code(204).send()
    },
  )
}

function storeFilterOf(filter: UserTaskFilter): StoreUserTaskFilter {
  return {
    ...(filter.state === undefined ? {} : { status: userTaskStatusOf[filter.state] }),
    ...(filter.assignee === undefined ? {} : { assignee: filter.assignee }),
    ...(filter.candidateUser === undefined ? {} : { candidateUser: filter.candidateUser }),
    ...(filter.candidateGroup === undefined ? {} : { candidateGroup: filter.candidateGroup }),
    ...(filter.processDefinitionId === undefined
      ? {}
      : { bpmnProcessId: filter.processDefinitionId }),
    ...(filter.processInstanceKey === undefined ? {} : { instanceKey: filter.processInstanceKey }),
  }
}
