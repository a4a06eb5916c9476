import type { ElementInstanceState, EngineEvent, InstanceState } from './types.ts'

/**
 * The only code that changes instance state. Live processing and recovery (replaying an event
 * log) both go through it, so they cannot disagree.
 */
export function applyEvent(state: InstanceState, event: EngineEvent): void {
  state.position = event.position + 1
  switch (event.type) {
    case 'ProcessInstanceCreated':
      state.variables[state.key] ??= {}
      return
    case 'ProcessInstanceCompleted':
      state.status = 'completed'
      state.endedAt = event.at
      return
    case 'ProcessInstanceTerminated':
      state.status = 'terminated'
      state.endedAt = event.at
      return
    case 'ElementActivating': {
      // Plain assignments, not spreads: V8 builds an object literal with spreads on its generic
      // path, and this runs for every element instance.
      const element: ElementInstanceState = {
        key: event.elementInstanceKey,
        elementId: event.elementId,
        flowScopeKey: event.flowScopeKey,
        phase: 'activating',
        activatedAt: event.at,
      }
      if (event.triggered) element.triggered = true
      if (event.loopRole) element.loopRole = event.loopRole
      if (event.compensationFor) element.compensationFor = event.compensationFor
      if (event.compensatesScope) element.compensatesScope = event.compensatesScope
      if (event.revivesScope) element.revives = event.revivesScope
      if (event.startEventId) element.startEventId = event.startEventId
      if (event.cancelsTransaction) element.cancelsTransaction = event.cancelsTransaction
      state.elements[event.elementInstanceKey] = element
      return
    }
    case 'ElementActivated': {
      const element = state.elements[event.elementInstanceKey]
      if (element) element.phase = 'active'
      return
    }
    case 'ElementCompleting': {
      const element = state.elements[event.elementInstanceKey]
      if (element) element.phase = 'completing'
      return
    }
    case 'ElementCompleted':
    case 'ElementTerminated':
      delete state.elements[event.elementInstanceKey]
      delete state.variables[event.elementInstanceKey]
      return
    case 'SequenceFlowTaken':
      return
    case 'JoinTokenArrived': {
      const id = `${event.flowScopeKey}/${event.gatewayId}`
      const join = (state.joins[id] ??= {})
      join[event.flowId] = (join[event.flowId] ?? 0) + 1
      return
    }
    case 'ComplexGatewayFired':
      ;(state.firedJoins ??= keyedMap())[`${event.flowScopeKey}/${event.gatewayId}`] = true
      return
    case 'ComplexGatewayReset':
      if (state.firedJoins) {
        delete state.firedJoins[`${event.flowScopeKey}/${event.gatewayId}`]
        if (Object.keys(state.firedJoins).length === 0) delete state.firedJoins
      }
      return
    case 'JoinTokensConsumed': {
      const id = `${event.flowScopeKey}/${event.gatewayId}`
      const join = state.joins[id]
      if (!join) return
      for (const flow of event.flows) {
        const left = (join[flow] ?? 0) - 1
        if (left > 0) join[flow] = left
        else delete join[flow]
      }
      if (Object.keys(join).length === 0) delete state.joins[id]
      return
    }
    case 'VariableSet': {
      const scope = (state.variables[event.scopeKey] ??= {})
      scope[event.name] = event.value
      return
    }
    case 'JobCreated': {
      state.jobs[event.jobKey] = {
        key: event.jobKey,
        elementInstanceKey: event.elementInstanceKey,
        elementId: event.elementId,
        type: event.jobType,
        retries: event.retries,
        headers: event.headers,
        createdAt: event.at,
      }
      const element = state.elements[event.elementInstanceKey]
      if (element) element.jobKey = event.jobKey
      return
    }
    case 'JobCompleted':
    case 'JobCanceled': {
      const job = state.jobs[event.jobKey]
      delete state.jobs[event.jobKey]
      const element = job && state.elements[job.elementInstanceKey]
      if (element) delete element.jobKey
      return
    }
    case 'JobFailed':
    case 'JobRetriesUpdated': {
      const job = state.jobs[event.jobKey]
      if (job) job.retries = event.retries
      return
    }
    case 'JobErrorThrown': {
      const job = state.jobs[event.jobKey]
      if (job) job.retries = 0
      return
    }
    case 'UserTaskCreated': {
      state.userTasks[event.userTaskKey] = {
        key: event.userTaskKey,
        elementInstanceKey: event.elementInstanceKey,
        elementId: event.elementId,
        name: event.name ?? null,
        assignee: event.assignee,
        candidateUsers: event.candidateUsers,
        candidateGroups: event.candidateGroups,
        dueDate: event.dueDate,
        followUpDate: event.followUpDate,
        priority: event.priority,
        formKey: event.formKey,
        formId: event.formId,
        createdAt: event.at,
      }
      const element = state.elements[event.elementInstanceKey]
      if (element) element.userTaskKey = event.userTaskKey
      return
    }
    case 'UserTaskAssigned': {
      const task = state.userTasks[event.userTaskKey]
      if (task) task.assignee = event.assignee
      return
    }
    case 'UserTaskCompleted':
    case 'UserTaskCanceled': {
      const task = state.userTasks[event.userTaskKey]
      delete state.userTasks[event.userTaskKey]
      const element = task && state.elements[task.elementInstanceKey]
      if (element) delete element.userTaskKey
      return
    }
    case 'IncidentCreated': {
      state.incidents[event.incidentKey] = {
        key: event.incidentKey,
        elementInstanceKey: event.elementInstanceKey,
        elementId: event.elementId,
        errorType: event.errorType,
        errorMessage: event.errorMessage,
        jobKey: event.jobKey ?? null,
        createdAt: event.at,
      }
      const element = state.elements[event.elementInstanceKey]
      if (element) element.incident = { key: event.incidentKey, step: event.step }
      return
    }
    case 'IncidentResolved': {
      delete state.incidents[event.incidentKey]
      const element = state.elements[event.elementInstanceKey]
      if (element?.incident?.key === event.incidentKey) delete element.incident
      return
    }
    case 'CompensationRecorded':
      ;(state.compensations ??= []).push(event.record)
      return
    case 'CompensationTriggered': {
      const done = new Set(event.elementInstanceKeys)
      if (state.compensations)
        state.compensations = state.compensations.filter((r) => !done.has(r.elementInstanceKey))
      const thrower = state.elements[event.throwerKey]
      if (thrower) {
        thrower.compensationsPending = event.waitFor
        if (event.queue && event.queue.length > 0) thrower.compensationQueue = event.queue
      }
      return
    }
    case 'CompensationHandlerDone': {
      const thrower = state.elements[event.throwerKey]
      if (thrower) {
        thrower.compensationsPending = Math.max(0, (thrower.compensationsPending ?? 1) - 1)
        const [, ...rest] = thrower.compensationQueue ?? []
        if (rest.length > 0) thrower.compensationQueue = rest
        else delete thrower.compensationQueue
      }
      return
    }
    case 'AdHocQueued': {
      const element = state.elements[event.elementInstanceKey]
      if (element) element.adHocQueue = event.elementIds
      return
    }
    case 'LoopStarted': {
      const element = state.elements[event.elementInstanceKey]
      if (element) element.loop = { items: event.items, count: event.count }
      return
    }
    case 'SubscriptionOpened': {
      const subscriptions = (state.subscriptions ??= keyedMap())
      subscriptions[event.subscription.key] = { ...event.subscription }
      return
    }
    case 'SubscriptionClosed':
      if (state.subscriptions) delete state.subscriptions[event.subscriptionKey]
      return
    case 'SubscriptionTriggered':
    case 'ErrorThrown':
    case 'EscalationThrown':
    case 'DecisionEvaluated':
      return
    case 'SubscriptionUpdated': {
      const subscription = state.subscriptions?.[event.subscriptionKey]
      if (!subscription) return
      subscription.dueAt = event.dueAt
      subscription.fired = event.fired
      if (event.lastValue !== undefined) subscription.lastValue = event.lastValue
      return
    }
    case 'ChildInstanceCreated': {
      const element = state.elements[event.elementInstanceKey]
      if (element) element.childInstanceKey = event.childInstanceKey
      return
    }
  }
}

/** A fresh state document for an instance about to be created. */
export function emptyInstanceState(init: {
  key: string
  processDefinitionKey: string
  bpmnProcessId: string
  version: number
  startedAt: number
  businessKey?: string
  startCorrelationKey?: string
  parent?: { instanceKey: string; elementInstanceKey: string }
}): InstanceState {
  return {
    ...init,
    status: 'active',
    elements: keyedMap(),
    variables: keyedMap(),
    joins: keyedMap(),
    jobs: keyedMap(),
    userTasks: keyedMap(),
    incidents: keyedMap(),
    position: 0,
  }
}

/**
 * An empty object for a map whose keys differ in every instance (element instance keys, job
 * keys...). It has no prototype, which makes V8 keep it as a hash table from the start: an
 * ordinary `{}` gets a new hidden class for every new key name, and with keys unique per instance
 * those hidden classes pile up and every access goes through V8's slow paths.
 */
export function keyedMap<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>
}
