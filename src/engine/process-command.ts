/**
 * The engine core's entry point: (state, command) -> events + effects, or a rejection. Pure: no
 * I/O, no clock, no randomness (time and keys come from ctx). The state passed in is the
 * caller's working copy and is advanced by the events; on a rejection it is left untouched.
 */
import type { ErrorCode } from '../errors.ts'
import { emptyInstanceState } from './apply-event.ts'
import {
  closeSubscriptionsHeldBy,
  openEventSubprocessSubscriptions,
  throwError,
  throwEscalation,
  triggerSubscription,
} from './behaviors/events.ts'
import { Step } from './step.ts'
import type {
  Command,
  EngineContext,
  InstanceState,
  Key,
  ProcessResult,
  Rejection,
  Variables,
} from './types.ts'
import { IncidentErrorTypes } from './types.ts'

export type CommandOutcome = (ProcessResult & { readonly state: InstanceState }) | Rejection

function reject(code: ErrorCode, message: string): Rejection {
  return { rejected: true, code, message }
}

/** A called instance's error or escalation reached a call activity that has ended meanwhile. */
function noCallActivity(state: InstanceState, elementInstanceKey: Key): Rejection {
  return reject(
    'BATON_ELEMENT_INSTANCE_NOT_FOUND',
    `instance ${state.key} has no active call activity ${elementInstanceKey}`,
  )
}

/**
 * Processes one command against one instance.
 *
 * @example
 * const outcome = processCommand(undefined, { type: 'CreateInstance', instanceKey: '1', processDefinitionKey: '7' }, ctx)
 * if (!('rejected' in outcome)) console.log(outcome.events.map((e) => e.type))
 */
export function processCommand(
  state: InstanceState | undefined,
  command: Command,
  ctx: EngineContext,
): CommandOutcome {
  if (command.type === 'CreateInstance') return createInstance(state, command, ctx)
  if (!state)
    return reject('BATON_INSTANCE_NOT_FOUND', `no process instance with key ${command.instanceKey}`)
  if (state.status !== 'active') {
    return reject(
      'BATON_INSTANCE_NOT_ACTIVE',
      `process instance ${state.key} is ${state.status}; a ${command.type} command needs an active instance`,
    )
  }
  const deployed = ctx.processByKey(state.processDefinitionKey)
  if (!deployed) {
    const reason = ctx.notLoadedReason?.(state.processDefinitionKey)
    return reject(
      'BATON_PROCESS_NOT_FOUND',
      `process definition ${state.processDefinitionKey} of instance ${state.key} is not loaded` +
        (reason === undefined
          ? ''
          : `: this Baton version cannot compile it (the one that deployed it can)\n${reason}`),
    )
  }
  const step = new Step(state, deployed.process, ctx)

  switch (command.type) {
    case 'CompleteJob': {
      const job = state.jobs[command.jobKey]
      if (!job) return jobNotFound(command.jobKey, state.key)
      if (job.retries <= 0) {
        return reject(
          'BATON_JOB_NOT_ACTIVE',
          `job ${job.key} has an open incident; resolve it before completing the job`,
        )
      }
      const element = state.elements[job.elementInstanceKey]
      if (!element) return jobNotFound(command.jobKey, state.key)
      step.emit({ type: 'JobCompleted', jobKey: job.key })
      step.setCompletionVariables(element, step.node(element.elementId), command.variables ?? {})
      step.enqueueComplete(element.key)
      break
    }
    case 'FailJob': {
      const job = state.jobs[command.jobKey]
      if (!job) return jobNotFound(command.jobKey, state.key)
      if (job.retries <= 0)
        return reject(
          'BATON_JOB_NOT_ACTIVE',
          `job ${job.key} already failed and has an open incident`,
        )
      const retries = Math.max(0, Math.floor(command.retries))
      step.emit({
        type: 'JobFailed',
        jobKey: job.key,
        retries,
        errorMessage: command.errorMessage,
        retryBackoffMs: Math.max(0, command.retryBackoffMs ?? 0),
      })
      if (retries === 0) {
        const element = state.elements[job.elementInstanceKey]
        if (element) {
          step.raiseIncident(
            element,
            IncidentErrorTypes.jobNoRetries,
            command.errorMessage || `job of type '${job.type}' failed and has no retries left`,
            'job',
            job.key,
          )
        }
      }
      break
    }
    case 'ThrowJobError': {
      const job = state.jobs[command.jobKey]
      if (!job) return jobNotFound(command.jobKey, state.key)
      if (job.retries <= 0)
        return reject(
          'BATON_JOB_NOT_ACTIVE',
          `job ${job.key} already failed and has an open incident`,
        )
      const element = state.elements[job.elementInstanceKey]
      step.emit({
        type: 'JobErrorThrown',
        jobKey: job.key,
        errorCode: command.errorCode,
        errorMessage: command.errorMessage ?? '',
      })
      const caught =
        element !== undefined &&
        throwError(
          step,
          element,
          true,
          command.errorCode,
          command.errorMessage ?? '',
          command.variables ?? {},
        )
      if (element && !caught) {
        step.raiseIncident(
          element,
          IncidentErrorTypes.unhandledError,
          `error '${command.errorCode}' thrown by the job of '${element.elementId}' was not caught${command.errorMessage ? `: ${command.errorMessage}` : ''}; model an error boundary event for it, or resolve the incident to retry the job`,
          'job',
          job.key,
        )
      }
      break
    }
    case 'CompleteUserTask': {
      const task = state.userTasks[command.userTaskKey]
      if (!task) return userTaskNotFound(command.userTaskKey, state.key)
      const element = state.elements[task.elementInstanceKey]
      if (!element || element.phase !== 'active')
        return userTaskNotFound(command.userTaskKey, state.key)
      const variables: Variables = command.variables ?? {}
      step.emit({ type: 'UserTaskCompleted', userTaskKey: task.key, variables })
      step.setCompletionVariables(element, step.node(element.elementId), variables)
      step.enqueueComplete(element.key)
      break
    }
    case 'AssignUserTask': {
      const task = state.userTasks[command.userTaskKey]
      if (!task) return userTaskNotFound(command.userTaskKey, state.key)
      step.emit({ type: 'UserTaskAssigned', userTaskKey: task.key, assignee: command.assignee })
      break
    }
    case 'SetVariables': {
      if (command.scopeKey !== state.key && !state.elements[command.scopeKey]) {
        return reject(
          'BATON_SCOPE_NOT_FOUND',
          `instance ${state.key} has no active scope ${command.scopeKey}; use the instance key or an active element instance key`,
        )
      }
      for (const [name, value] of Object.entries(command.variables)) {
        if (command.local) step.setLocal(command.scopeKey, name, value)
        else step.setPropagated(command.scopeKey, name, value)
      }
      break
    }
    case 'TriggerSubscription': {
      const subscription = state.subscriptions?.[command.subscriptionKey]
      if (!subscription || (command.dueAt !== undefined && subscription.dueAt !== command.dueAt)) {
        return reject(
          'BATON_SUBSCRIPTION_NOT_FOUND',
          `instance ${state.key} has no open subscription ${command.subscriptionKey}; the event may have been caught already or the element has moved on`,
        )
      }
      triggerSubscription(step, subscription, command.variables ?? {})
      break
    }
    case 'PropagateError': {
      const element = state.elements[command.elementInstanceKey]
      if (!element) return noCallActivity(state, command.elementInstanceKey)
      const caught = throwError(
        step,
        element,
        true,
        command.errorCode,
        command.errorMessage,
        command.variables ?? {},
      )
      if (!caught) {
        step.raiseIncident(
          element,
          IncidentErrorTypes.unhandledError,
          `error '${command.errorCode}' thrown in the process called by '${element.elementId}' was not caught${command.errorMessage ? `: ${command.errorMessage}` : ''}; model an error boundary event or event subprocess for it`,
          'child',
        )
      }
      break
    }
    case 'PropagateEscalation': {
      const element = state.elements[command.elementInstanceKey]
      if (!element) return noCallActivity(state, command.elementInstanceKey)
      throwEscalation(step, element, command.escalationCode, command.childInstanceKey)
      break
    }
    case 'CancelInstance': {
      if (state.parent && !command.byParent) {
        return reject(
          'BATON_INSTANCE_CANCEL_CHILD',
          `instance ${state.key} was called by instance ${state.parent.instanceKey}; cancel the root instance instead`,
        )
      }
      step.terminateChildren(state.key)
      closeSubscriptionsHeldBy(step, state.key)
      step.emit({ type: 'ProcessInstanceTerminated' })
      break
    }
    case 'ResolveIncident': {
      const open = state.incidents[command.incidentKey]
      const element = open === undefined ? undefined : state.elements[open.elementInstanceKey]
      if (!element?.incident || element.incident.key !== command.incidentKey) {
        return reject(
          'BATON_INCIDENT_NOT_FOUND',
          `instance ${state.key} has no open incident ${command.incidentKey}`,
        )
      }
      const incident = element.incident
      if (incident.step === 'job' && element.jobKey) {
        const retries = Math.max(1, Math.floor(command.jobRetries ?? 1))
        step.emit({ type: 'JobRetriesUpdated', jobKey: element.jobKey, retries })
      }
      step.emit({
        type: 'IncidentResolved',
        incidentKey: incident.key,
        elementInstanceKey: element.key,
      })
      if (incident.step === 'activate') step.runActivation(element.key)
      else if (incident.step === 'complete') step.runCompletion(element.key)
      break
    }
    case 'CompleteCallActivity': {
      const element = state.elements[command.elementInstanceKey]
      if (!element) {
        return reject(
          'BATON_ELEMENT_INSTANCE_NOT_FOUND',
          `instance ${state.key} has no active call activity ${command.elementInstanceKey}`,
        )
      }
      const node = step.node(element.elementId)
      const hasOutputs = (node.ioMapping?.outputs.length ?? 0) > 0
      if (hasOutputs || node.calledElement?.propagateAllChildVariables !== false) {
        step.setCompletionVariables(element, node, command.variables)
      }
      step.enqueueComplete(element.key)
      break
    }
  }
  step.run()
  return { state, events: step.events, effects: step.effects }
}

function createInstance(
  existing: InstanceState | undefined,
  command: Extract<Command, { type: 'CreateInstance' }>,
  ctx: EngineContext,
): CommandOutcome {
  if (existing)
    return reject('BATON_INTERNAL', `instance key ${command.instanceKey} is already taken`)
  const deployed = ctx.processByKey(command.processDefinitionKey)
  if (!deployed) {
    return reject(
      'BATON_PROCESS_NOT_FOUND',
      `no process definition with key ${command.processDefinitionKey} is deployed`,
    )
  }
  // Refused before any event: the batch's projection observes every event emitted.
  const process = deployed.process
  const startEventId = command.startEventId ?? process.startEventId
  // A descriptive process without start events starts at its flow nodes without incoming flow.
  const implicitOnly =
    command.startEventId === undefined &&
    process.tokenStartIds !== undefined &&
    (process.startEventIds ?? []).length === 0
  if (!startEventId && !implicitOnly) {
    const nones = (deployed.process.startEventIds ?? []).filter((id) => {
      const node = deployed.process.nodes.get(id)
      return node?.type === 'startEvent' && node.eventDefinition === undefined
    })
    if (nones.length > 1) {
      return reject(
        'BATON_PROCESS_NO_NONE_START',
        `process '${deployed.bpmnProcessId}' has ${nones.length} none start events (${nones.join(', ')}); say which one to start at (startEventId)`,
      )
    }
  }
  if (!implicitOnly && (!startEventId || !process.nodes.has(startEventId))) {
    return reject(
      'BATON_PROCESS_NO_NONE_START',
      `process '${deployed.bpmnProcessId}' has no ${command.startEventId ? `start event '${command.startEventId}'` : 'none start event'}; it starts on a message, timer or signal`,
    )
  }
  const state = emptyInstanceState({
    key: command.instanceKey,
    processDefinitionKey: deployed.key,
    bpmnProcessId: deployed.bpmnProcessId,
    version: deployed.version,
    startedAt: ctx.now(),
    ...(command.businessKey === undefined ? {} : { businessKey: command.businessKey }),
    ...(command.startCorrelationKey ? { startCorrelationKey: command.startCorrelationKey } : {}),
    ...(command.parent === undefined ? {} : { parent: command.parent }),
  })
  const step = new Step(state, deployed.process, ctx)
  step.emit({
    type: 'ProcessInstanceCreated',
    processDefinitionKey: deployed.key,
    bpmnProcessId: deployed.bpmnProcessId,
    version: deployed.version,
    ...(command.businessKey === undefined ? {} : { businessKey: command.businessKey }),
    ...(command.startCorrelationKey ? { startCorrelationKey: command.startCorrelationKey } : {}),
    ...(command.parent === undefined ? {} : { parent: command.parent }),
  })
  for (const [name, value] of Object.entries(command.variables ?? {})) {
    step.setLocal(state.key, name, value)
  }
  openEventSubprocessSubscriptions(step, state.key, undefined, deployed.process.eventSubProcessIds)
  const start = (id: string): void => {
    // An instantiating receive task starts the instance already triggered by its message.
    if (process.nodes.get(id)?.type === 'receiveTask') step.enqueueActivate(id, state.key, {})
    else step.enqueueActivate(id, state.key)
  }
  if (process.tokenStartIds === undefined) start(startEventId)
  else {
    // A descriptive process: the start event it starts at, and every implicit start, in order.
    const startEvents = new Set(process.startEventIds)
    for (const id of process.tokenStartIds) {
      if (!startEvents.has(id) || id === startEventId) start(id)
    }
  }
  step.run()
  return { state, events: step.events, effects: step.effects }
}

function jobNotFound(jobKey: Key, instanceKey: Key): Rejection {
  return reject(
    'BATON_JOB_NOT_FOUND',
    `instance ${instanceKey} has no open job ${jobKey}; it may have been completed or cancelled`,
  )
}

function userTaskNotFound(userTaskKey: Key, instanceKey: Key): Rejection {
  return reject(
    'BATON_USER_TASK_NOT_FOUND',
    `instance ${instanceKey} has no open user task ${userTaskKey}; it may have been completed or cancelled`,
  )
}
