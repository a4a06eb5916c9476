/** The web app's HTTP calls: every request carries the stored token; errors are problems. */
import type {
  IncidentWire,
  ProcessDefinitionWire,
  ProcessInstanceWire,
  Problem,
  SearchResult,
  UserTaskWire,
  Variables,
} from '../../src/client/wire-types.ts'

export type {
  ElementInstanceWire,
  HistoryEventWire,
  IncidentWire,
  ProcessDefinitionWire,
  ProcessInstanceWire,
  SearchResult,
  UserTaskWire,
  VariableWire,
  Variables,
  JsonValue,
} from '../../src/client/wire-types.ts'

const TOKEN_KEY = 'baton.token'

export function storedToken(): string | null {
  return localStorage.getItem(TOKEN_KEY)
}

export function storeToken(token: string | null): void {
  if (token === null) localStorage.removeItem(TOKEN_KEY)
  else localStorage.setItem(TOKEN_KEY, token)
}

/** A failed request: the server's problem (or a network failure dressed as one). */
export class ApiError extends Error {
  readonly status: number
  readonly problem: Partial<Problem>
  constructor(status: number, problem: Partial<Problem>) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`)
    this.status = status
    this.problem = problem
  }
}

export interface RequestOptions {
  readonly method?: string
  readonly json?: unknown
  readonly body?: BodyInit
  readonly token?: string | null
  readonly signal?: AbortSignal
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const token = options.token === undefined ? storedToken() : options.token
  const headers: Record<string, string> = {}
  if (token) headers['authorization'] = `Bearer ${token}`
  let body = options.body
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json'
    body = JSON.stringify(options.json)
  }
  let response: Response
  try {
    response = await fetch(path, {
      method: options.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      ...(body === undefined ? {} : { body }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    })
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error
    throw new ApiError(0, { title: 'The server cannot be reached', detail: String(error) })
  }
  if (response.status === 204) return undefined as T
  const type = response.headers.get('content-type') ?? ''
  if (!response.ok) {
    const problem = type.includes('json')
      ? ((await response.json()) as Partial<Problem>)
      : { detail: await response.text() }
    throw new ApiError(response.status, problem)
  }
  if (type.includes('json')) return (await response.json()) as T
  return (await response.text()) as T
}

export interface WhoAmI {
  readonly role: 'admin' | 'operator' | 'worker' | 'task-user'
  readonly user?: string
  readonly groups: readonly string[]
}

export const whoami = (token?: string | null): Promise<WhoAmI> =>
  request('/baton/whoami', token === undefined ? {} : { token })

export interface Page {
  readonly limit?: number
  readonly after?: string
}

export function search<T>(
  path: string,
  filter: object,
  page: Page = {},
  signal?: AbortSignal,
): Promise<SearchResult<T>> {
  return request(path, {
    json: { filter, page },
    ...(signal === undefined ? {} : { signal }),
  })
}

/**
 * Every page of a search (at most `max` items), for lists that sort on the client. Pages of 500:
 * the server answers a page of its maximum (1000) without a cursor, as if it were the last.
 */
export async function searchAll<T>(path: string, filter: object, max = 10_000): Promise<T[]> {
  const items: T[] = []
  let after: string | undefined
  do {
    const result = await search<T>(path, filter, {
      limit: 500,
      ...(after === undefined ? {} : { after }),
    })
    items.push(...result.items)
    after = result.page.endCursor
  } while (after !== undefined && items.length < max)
  return items
}

export const definitions = async (): Promise<ProcessDefinitionWire[]> =>
  (await request<{ items: ProcessDefinitionWire[] }>('/baton/process-definitions')).items

export const definitionXml = (key: string): Promise<string> =>
  request(`/baton/process-definitions/${key}/xml`)

export const instance = (key: string): Promise<ProcessInstanceWire> =>
  request(`/v2/process-instances/${key}`)

export interface FormResponse {
  readonly formKey?: string
  readonly formId?: string
  readonly schema: Record<string, unknown> | null
  readonly variables?: Variables
}

export const taskForm = (key: string): Promise<FormResponse> =>
  request(`/baton/user-tasks/${key}/form`)

export const startForm = (definitionKey: string): Promise<FormResponse> =>
  request(`/baton/process-definitions/${definitionKey}/start-form`)

export const startInstance = (
  processDefinitionKey: string,
  variables: Variables,
  businessKey?: string,
): Promise<{ processInstanceKey: string }> =>
  request('/v2/process-instances', {
    json: {
      processDefinitionKey,
      variables,
      ...(businessKey ? { businessKey } : {}),
    },
  })

export const claimTask = (key: string, assignee: string): Promise<void> =>
  request(`/v2/user-tasks/${key}/assignment`, {
    json: { assignee, allowOverride: false },
  })

export const unclaimTask = (key: string): Promise<void> =>
  request(`/v2/user-tasks/${key}/assignee`, { method: 'DELETE' })

export const completeTask = (key: string, variables: Variables): Promise<void> =>
  request(`/v2/user-tasks/${key}/completion`, { json: { variables } })

export const retryIncident = (key: string): Promise<void> =>
  request(`/v2/incidents/${key}/resolution`, { json: {} })

export const cancelInstance = (key: string): Promise<void> =>
  request(`/v2/process-instances/${key}/cancellation`, { json: {} })

export const setVariables = (
  instanceKey: string,
  scopeKey: string,
  variables: Variables,
): Promise<void> =>
  request(`/baton/process-instances/${instanceKey}/variables`, {
    method: 'PUT',
    json: { scopeKey, variables },
  })

export interface DeployProblem {
  readonly rule: string
  readonly elementId?: string
  readonly line?: number
  readonly message: string
}

/** Deploys files; a rejected deployment throws an ApiError whose problem lists the problems. */
export function deploy(files: readonly { name: string; content: string }[]): Promise<{
  deployments: {
    processDefinition?: { processDefinitionKey: string; processDefinitionId: string }
    decisionDefinition?: { decisionDefinitionKey: string; decisionDefinitionId: string }
  }[]
}> {
  const form = new FormData()
  for (const file of files) {
    form.append('resources', new Blob([file.content], { type: 'text/xml' }), file.name)
  }
  return request('/v2/deployments', { body: form, method: 'POST' })
}

/** The problems of a rejected deployment (the problem's details), flattened. */
export function deployProblems(error: unknown): DeployProblem[] {
  if (!(error instanceof ApiError)) return []
  const details = error.problem.details
  if (!Array.isArray(details)) return []
  return details.flatMap((entry: { problems?: DeployProblem[] }) => entry.problems ?? [])
}

export const validate = (
  xml: string,
): Promise<{ errors: DeployProblem[]; warnings: DeployProblem[] }> =>
  request('/baton/validations', { json: { xml } })

export const activeIncidents = (processInstanceKey: string): Promise<IncidentWire[]> =>
  searchAll<IncidentWire>('/v2/incidents/search', { processInstanceKey, state: 'ACTIVE' })

export type { UserTaskWire as Task }
