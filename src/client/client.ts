/**
 * A typed client for Baton's REST API over `fetch`: one method per route. Errors come back as
 * `BatonHttpError` carrying the server's problem (status, BATON_* code, detail).
 */
import type {
  ActivateJobsRequest,
  ActivateJobsResponse,
  AssignUserTaskRequest,
  BroadcastSignalRequest,
  EvaluateConditionalsRequest,
  EvaluateConditionalsResponse,
  BroadcastSignalResponse,
  CorrelateMessageRequest,
  CorrelateMessageResponse,
  CreateProcessInstanceRequest,
  CreateProcessInstanceResponse,
  DeploymentResponse,
  ElementInstanceFilter,
  ElementInstanceWire,
  FailJobRequest,
  HealthResponse,
  HistoryResponse,
  IncidentFilter,
  IncidentWire,
  Problem,
  ProcessDefinitionsResponse,
  ProcessInstanceFilter,
  ProcessInstanceWire,
  PublishMessageRequest,
  PublishMessageResponse,
  ResolveIncidentRequest,
  SearchRequest,
  SearchResult,
  ThrowJobErrorRequest,
  TopologyResponse,
  UserTaskFilter,
  UserTaskWire,
  VariableFilter,
  VariableWire,
  Variables,
} from './wire-types.ts'
import { BatonHttpError } from './http-error.ts'
import type { ClientJobHandler, ClientWorkerOptions } from './worker.ts'
import { ClientJobWorker } from './worker.ts'

export interface ClientOptions {
  /** Where the server listens, e.g. `http://127.0.0.1:8080`. */
  readonly baseUrl: string
  /** A bearer API token (`baton token create ...`); leave out for a server with auth mode none. */
  readonly token?: string
  /** Another fetch (tests, proxies). */
  readonly fetch?: typeof fetch
}

/** A resource to deploy: a file name and its content. */
export interface DeployFile {
  readonly name: string
  readonly content: string | Uint8Array
}

export interface RequestOptions {
  readonly signal?: AbortSignal
}

/**
 * Creates a client.
 *
 * @example
 * const baton = createClient({ baseUrl: 'http://127.0.0.1:8080', token: process.env.BATON_TOKEN })
 * await baton.deploy([{ name: 'order.bpmn', content: xml }])
 * const { processInstanceKey } = await baton.createProcessInstance({ processDefinitionId: 'order' })
 * const worker = baton.worker('charge-card', async (job) => ({ charged: true }))
 */
export function createClient(options: ClientOptions): BatonClient {
  return new BatonClient(options)
}

export class BatonClient {
  private readonly baseUrl: string
  private readonly fetcher: typeof fetch

  constructor(private readonly options: ClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '')
    this.fetcher = options.fetch ?? globalThis.fetch.bind(globalThis)
  }

  // -------------------------------------------------------------------------------------------
  // Plumbing

  private async request(
    method: string,
    path: string,
    body: unknown,
    init: RequestOptions = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' }
    if (this.options.token !== undefined) headers['authorization'] = `Bearer ${this.options.token}`
    let payload: string | FormData | undefined
    if (body instanceof FormData) payload = body
    else if (body !== undefined) {
      headers['content-type'] = 'application/json'
      payload = JSON.stringify(body)
    }
    const response = await this.fetcher(`${this.baseUrl}${path}`, {
      method,
      headers,
      ...(payload === undefined ? {} : { body: payload }),
      ...(init.signal === undefined ? {} : { signal: init.signal }),
    })
    if (!response.ok) {
      const text = await response.text()
      let problem: Problem | undefined
      try {
        const parsed = JSON.parse(text) as Partial<Problem>
        if (typeof parsed.code === 'string' && typeof parsed.status === 'number') {
          problem = parsed as Problem
        }
      } catch {
        problem = undefined
      }
      throw new BatonHttpError(
        response.status,
        problem,
        `${method} ${path} answered ${response.status}: ${text.slice(0, 200)}`,
      )
    }
    return response
  }

  private async json<T>(
    method: string,
    path: string,
    body?: unknown,
    init?: RequestOptions,
  ): Promise<T> {
    const response = await this.request(method, path, body, init)
    return (await response.json()) as T
  }

  private async empty(method: string, path: string, body?: unknown): Promise<void> {
    const response = await this.request(method, path, body)
    await response.body?.cancel()
  }

  private async text(path: string): Promise<string> {
    const response = await this.request('GET', path, undefined)
    return response.text()
  }

  // -------------------------------------------------------------------------------------------
  // Cluster, deployments, definitions

  health(): Promise<HealthResponse> {
    return this.json('GET', '/health')
  }

  topology(): Promise<TopologyResponse> {
    return this.json('GET', '/v2/topology')
  }

  /** Deploys BPMN and DMN files, all or nothing; the answer also carries the files' warnings. */
  deploy(files: readonly DeployFile[]): Promise<DeploymentResponse> {
    const form = new FormData()
    for (const file of files) {
      const blob =
        typeof file.content === 'string'
          ? new Blob([file.content], { type: 'application/xml' })
          : new Blob([new Uint8Array(file.content)], { type: 'application/xml' })
      form.append('resources', blob, file.name)
    }
    return this.json('POST', '/v2/deployments', form)
  }

  processDefinitions(): Promise<ProcessDefinitionsResponse> {
    return this.json('GET', '/baton/process-definitions')
  }

  processDefinitionXml(processDefinitionKey: string): Promise<string> {
    return this.text(`/baton/process-definitions/${encodeURIComponent(processDefinitionKey)}/xml`)
  }

  // -------------------------------------------------------------------------------------------
  // Process instances

  createProcessInstance(
    request: CreateProcessInstanceRequest,
  ): Promise<CreateProcessInstanceResponse> {
    return this.json('POST', '/v2/process-instances', request)
  }

  searchProcessInstances(
    request: SearchRequest<ProcessInstanceFilter> = {},
  ): Promise<SearchResult<ProcessInstanceWire>> {
    return this.json('POST', '/v2/process-instances/search', request)
  }

  getProcessInstance(processInstanceKey: string): Promise<ProcessInstanceWire> {
    return this.json('GET', `/v2/process-instances/${encodeURIComponent(processInstanceKey)}`)
  }

  cancelProcessInstance(processInstanceKey: string): Promise<void> {
    return this.empty(
      'POST',
      `/v2/process-instances/${encodeURIComponent(processInstanceKey)}/cancellation`,
      {},
    )
  }

  /** The instance's audit trail, oldest event first. */
  history(processInstanceKey: string): Promise<HistoryResponse> {
    return this.json(
      'GET',
      `/baton/process-instances/${encodeURIComponent(processInstanceKey)}/history`,
    )
  }

  // -------------------------------------------------------------------------------------------
  // Jobs

  activateJobs(
    request: ActivateJobsRequest,
    init: RequestOptions = {},
  ): Promise<ActivateJobsResponse> {
    return this.json('POST', '/v2/jobs/activation', request, init)
  }

  completeJob(jobKey: string, variables: Variables = {}): Promise<void> {
    return this.empty('POST', `/v2/jobs/${encodeURIComponent(jobKey)}/completion`, { variables })
  }

  failJob(jobKey: string, request: FailJobRequest): Promise<void> {
    return this.empty('POST', `/v2/jobs/${encodeURIComponent(jobKey)}/failure`, request)
  }

  throwJobError(jobKey: string, request: ThrowJobErrorRequest): Promise<void> {
    return this.empty('POST', `/v2/jobs/${encodeURIComponent(jobKey)}/error`, request)
  }

  /**
   * Starts a worker that long-polls for jobs of a type and runs `handler` on each: return
   * variables (or nothing) to complete the job, throw to fail it.
   */
  worker(
    type: string,
    handler: ClientJobHandler,
    options: ClientWorkerOptions = {},
  ): ClientJobWorker {
    return new ClientJobWorker(this, type, handler, options)
  }

  // -------------------------------------------------------------------------------------------
  // Messages and signals

  /**
   * Publishes a message: correlated to every instance waiting for it now; with a `timeToLive`
   * (ms), one that reached none is kept for subscriptions that open later.
   */
  publishMessage(request: PublishMessageRequest): Promise<PublishMessageResponse> {
    return this.json('POST', '/v2/messages/publication', request)
  }

  /** Correlates a message now, never keeping it; a 404 `BatonHttpError` when none waits for it. */
  correlateMessage(request: CorrelateMessageRequest): Promise<CorrelateMessageResponse> {
    return this.json('POST', '/v2/messages/correlation', request)
  }

  /** Broadcasts a signal to every instance waiting for it, and to signal start events. */
  broadcastSignal(request: BroadcastSignalRequest): Promise<BroadcastSignalResponse> {
    return this.json('POST', '/v2/signals/broadcast', request)
  }

  /** Starts an instance at each root conditional start event whose condition the variables make true. */
  evaluateConditionals(
    request: EvaluateConditionalsRequest,
  ): Promise<EvaluateConditionalsResponse> {
    return this.json('POST', '/v2/conditionals/evaluation', request)
  }

  // -------------------------------------------------------------------------------------------
  // User tasks

  searchUserTasks(
    request: SearchRequest<UserTaskFilter> = {},
  ): Promise<SearchResult<UserTaskWire>> {
    return this.json('POST', '/v2/user-tasks/search', request)
  }

  getUserTask(userTaskKey: string): Promise<UserTaskWire> {
    return this.json('GET', `/v2/user-tasks/${encodeURIComponent(userTaskKey)}`)
  }

  assignUserTask(userTaskKey: string, request: AssignUserTaskRequest): Promise<void> {
    return this.empty(
      'POST',
      `/v2/user-tasks/${encodeURIComponent(userTaskKey)}/assignment`,
      request,
    )
  }

  unassignUserTask(userTaskKey: string): Promise<void> {
    return this.empty('DELETE', `/v2/user-tasks/${encodeURIComponent(userTaskKey)}/assignee`)
  }

  completeUserTask(userTaskKey: string, variables: Variables = {}): Promise<void> {
    return this.empty('POST', `/v2/user-tasks/${encodeURIComponent(userTaskKey)}/completion`, {
      variables,
    })
  }

  // -------------------------------------------------------------------------------------------
  // Incidents, variables, element instances

  searchIncidents(
    request: SearchRequest<IncidentFilter> = {},
  ): Promise<SearchResult<IncidentWire>> {
    return this.json('POST', '/v2/incidents/search', request)
  }

  resolveIncident(incidentKey: string, request: ResolveIncidentRequest = {}): Promise<void> {
    return this.empty(
      'POST',
      `/v2/incidents/${encodeURIComponent(incidentKey)}/resolution`,
      request,
    )
  }

  searchVariables(request: SearchRequest<VariableFilter>): Promise<SearchResult<VariableWire>> {
    return this.json('POST', '/v2/variables/search', request)
  }

  searchElementInstances(
    request: SearchRequest<ElementInstanceFilter>,
  ): Promise<SearchResult<ElementInstanceWire>> {
    return this.json('POST', '/v2/element-instances/search', request)
  }

  /** Prometheus text. */
  metrics(): Promise<string> {
    return this.text('/metrics')
  }
}
