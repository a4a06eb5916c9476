/**
 * One command's processing: an agenda of element steps run to quiescence against one instance's
 * state. Every change goes through `emit` (event -> applyEvent), so the events returned are
 * exactly what happened.
 */
import type {
  AttributeValue,
  CompiledExpression,
  EvaluateOptions,
  FeelResult,
} from '../feel/types.ts'
import type { ExecutableProcess, FlowNode, SequenceFlow, VariableMapping } from '../model/types.ts'
import { applyEvent } from './apply-event.ts'
import {
  parseTarget,
  propagationScope,
  setAtPath,
  toJson,
  visibleVariables,
} from './behaviors/variables.ts'
import {
  closeSubscriptionsHeldBy,
  evaluateConditions,
  openBoundarySubscriptions,
  openEventSubprocessSubscriptions,
  triggerSubscription,
} from './behaviors/events.ts'
import { compensationHandlerDone, recordCompensable } from './behaviors/compensation.ts'
import { bodyCompleting, innerCompleted, innerCompleting, startLoop } from './behaviors/loops.ts'
import { adHocChildCompleted, adHocNext } from './elements/ad-hoc-subprocess.ts'
import { elementBehaviors } from './elements/index.ts'
import type {
  Command,
  Effect,
  ElementInstanceState,
  EngineContext,
  EngineEvent,
  EngineEventBody,
  IncidentErrorType,
  IncidentRef,
  InstanceState,
  JsonValue,
  Key,
  Variables,
} from './types.ts'
import { IncidentErrorTypes } from './types.ts'

type AgendaItem =
  | {
      readonly kind: 'activate'
      readonly nodeId: string
      readonly flowScopeKey: Key
      /** Variables of the event that triggered the element (boundary, event subprocess, gateway target). */
      readonly trigger?: Variables
      /** An iteration of a loop body: its local loop variables (loopCounter, input element). */
      readonly inner?: Variables
      /** A compensation handler: the throw event waiting for it, and the scope an event subprocess compensates. */
      readonly compensation?: { readonly for?: Key; readonly scope?: Key }
      /** A token on its way along this sequence flow: it arrives at `nodeId` when `hops` is 0. */
      readonly via?: SequenceFlow
      /** Agenda rounds the token still spends on the flow (see takeFlow). */
      hops?: number
    }
  | {
      readonly kind: 'complete'
      readonly elementInstanceKey: Key
      /** Agenda rounds to wait first (a waiting catch event takes its trigger in a step of its own). */
      hops?: number
    }
  | { readonly kind: 'resume'; readonly elementInstanceKey: Key }
  | { readonly kind: 'scope'; readonly scopeKey: Key }
  | {
      /** The rest of an element's activation, run a round later if the element is still there. */
      readonly kind: 'later'
      readonly elementInstanceKey: Key
      readonly run: (element: ElementInstanceState) => void
    }

/** A value, or an incident already raised (the caller stops). */
export type Evaluated<T> = { readonly ok: true; readonly value: T } | { readonly ok: false }

export class Step {
  readonly events: EngineEvent[] = []
  readonly effects: Effect[] = []
  private readonly agenda: AgendaItem[] = []
  /** Index of the next agenda item to run; items before it are done. */
  private head = 0
  private readonly at: number
  /** FEEL's now() and today() read the command's time, not the wall clock (replays, fake clocks). */
  readonly feelOptions: EvaluateOptions = { now: () => new Date(this.at) }

  /** Variables set during this step, for `zeebe:conditionalFilter` (see evaluateConditions). */
  readonly variableChanges: {
    readonly scopeKey: Key
    readonly name: string
    readonly created: boolean
  }[] = []
  /** Conditional subscriptions open before this step: an earlier step evaluated them once. */
  readonly earlierConditionals: ReadonlySet<Key>

  constructor(
    readonly state: InstanceState,
    readonly process: ExecutableProcess,
    readonly ctx: EngineContext,
  ) {
    this.at = ctx.now()
    const earlier = new Set<Key>()
    for (const subscription of Object.values(state.subscriptions ?? {})) {
      if (subscription?.kind === 'conditional') earlier.add(subscription.key)
    }
    this.earlierConditionals = earlier
  }

  now(): number {
    return this.at
  }

  /**
   * Records an event and applies it. `body` must be a fresh object (every caller passes a
   * literal): it becomes the event itself, with position and instant added, instead of being
   * copied. A copy per event cost more than any other single step of the hot path (V8 clones
   * dozens of event shapes through its slowest generic path).
   */
  emit(body: EngineEventBody): void {
    const event = body as EngineEventBody & { position: number; at: number }
    event.position = this.state.position
    event.at = this.at
    this.ctx.observe?.(this.state, event)
    applyEvent(this.state, event)
    this.events.push(event)
  }

  command(command: Command): void {
    this.effects.push({ type: 'command', command })
  }

  /**
   * Signals thrown in this step while other tokens of the instance were queued to move: those
   * tokens moved at the same instant, so a catch they reach now still receives the signal (a
   * parallel fork that puts the throw before the catch must not lose it). Undefined until a signal
   * is thrown, so the common path pays nothing.
   */
  private simultaneousSignals:
    | {
        readonly name: string
        readonly variables: Variables
        readonly items: ReadonlySet<AgendaItem>
        readonly seen: Set<Key>
      }[]
    | undefined

  /** Records a signal thrown inside the instance for the tokens queued at this instant. */
  signalThrownLocally(name: string, variables: Variables): void {
    const items = new Set<AgendaItem>()
    for (let i = this.head; i < this.agenda.length; i++) {
      const item = this.agenda[i] as AgendaItem
      if (item.kind === 'activate') items.add(item)
    }
    if (items.size === 0) return
    const seen = new Set(Object.keys(this.state.subscriptions ?? {}))
    ;(this.simultaneousSignals ??= []).push({ name, variables, items, seen })
  }

  /** After a queued token moved: its new signal catches receive the signals of its instant. */
  private deliverSimultaneousSignals(item: AgendaItem): void {
    for (const signal of this.simultaneousSignals ?? []) {
      if (!signal.items.has(item)) continue
      for (const subscription of Object.values(this.state.subscriptions ?? {})) {
        if (signal.seen.has(subscription.key)) continue
        signal.seen.add(subscription.key)
        if (subscription.kind !== 'signal' || subscription.name !== signal.name) continue
        if (!this.state.subscriptions?.[subscription.key]) continue
        triggerSubscription(this, subscription, signal.variables)
      }
    }
  }

  /** Asks the runtime to broadcast a signal (to other instances, and start events) after this step. */
  broadcastSignal(signalName: string, variables: Variables): void {
    this.effects.push({
      type: 'broadcastSignal',
      signalName,
      variables,
      excludeInstanceKey: this.state.key,
    })
  }

  /** Asks the runtime to publish a message (to every waiting subscription and start event). */
  publishMessage(messageName: string, correlationKey: string, variables: Variables): void {
    this.effects.push({ type: 'publishMessage', messageName, correlationKey, variables })
  }

  node(elementId: string): FlowNode {
    const node = this.process.nodes.get(elementId)
    if (!node) throw new Error(`element ${elementId} is not in process ${this.process.id}`)
    return node
  }

  // -------------------------------------------------------------------------------------------
  // The agenda

  /**
   * Starts activating a catching element now (boundary event, event subprocess), before what it
   * interrupts is terminated, so the log shows the catch first; the rest of its activation runs
   * from the agenda. Returns the new element instance key.
   */
  beginActivation(
    nodeId: string,
    flowScopeKey: Key,
    trigger: Variables,
    /**
     * `startEventId`: an event subprocess with several start events, the one triggered;
     * `cancelsTransaction`: a cancel boundary event, the transaction it cancels.
     */
    about: { readonly startEventId?: string; readonly cancelsTransaction?: Key } = {},
  ): Key {
    const node = this.node(nodeId)
    const key = this.ctx.nextKey()
    this.emit({
      type: 'ElementActivating',
      elementInstanceKey: key,
      elementId: nodeId,
      elementType: node.type,
      flowScopeKey,
      triggered: true,
      ...(about.startEventId === undefined ? {} : { startEventId: about.startEventId }),
      ...(about.cancelsTransaction === undefined
        ? {}
        : { cancelsTransaction: about.cancelsTransaction }),
    })
    if (Object.keys(trigger).length > 0) {
      this.setCompletionVariables(this.state.elements[key] as ElementInstanceState, node, trigger)
    }
    this.agenda.push({ kind: 'resume', elementInstanceKey: key })
    return key
  }

  /**
   * Enters a completed subprocess again, to host the compensation handlers of what ran in it
   * (they are modelled inside it); `revives` is the key of the completed instance.
   */
  reviveScope(elementId: string, revives: Key, flowScopeKey: Key): Key {
    const key = this.ctx.nextKey()
    this.emit({
      type: 'ElementActivating',
      elementInstanceKey: key,
      elementId,
      elementType: this.node(elementId).type,
      flowScopeKey,
      revivesScope: revives,
    })
    this.emit({ type: 'ElementActivated', elementInstanceKey: key, elementId })
    return key
  }

  /** Queues a compensation handler (an activity, or a compensation event subprocess). */
  enqueueCompensationHandler(
    nodeId: string,
    flowScopeKey: Key,
    throwerKey?: Key,
    compensatesScope?: Key,
  ): void {
    this.agenda.push({
      kind: 'activate',
      nodeId,
      flowScopeKey,
      compensation: {
        ...(throwerKey === undefined ? {} : { for: throwerKey }),
        ...(compensatesScope === undefined ? {} : { scope: compensatesScope }),
      },
    })
  }

  /** Queues one iteration of a loop body, with its local loop variables. */
  enqueueActivateInner(nodeId: string, bodyKey: Key, locals: Variables): void {
    this.agenda.push({ kind: 'activate', nodeId, flowScopeKey: bodyKey, inner: locals })
  }

  enqueueActivate(nodeId: string, flowScopeKey: Key, trigger?: Variables): void {
    this.agenda.push(
      trigger === undefined
        ? { kind: 'activate', nodeId, flowScopeKey }
        : { kind: 'activate', nodeId, flowScopeKey, trigger },
    )
  }

  /**
   * Runs the rest of an element's activation one agenda round later, unless the element ended
   * meanwhile: tokens queued to move at the same instant move first (an error end event's
   * sibling tokens enter before the error ends their scope, as in the token simulator).
   */
  later(elementInstanceKey: Key, run: (element: ElementInstanceState) => void): void {
    this.agenda.push({ kind: 'later', elementInstanceKey, run })
  }

  enqueueComplete(elementInstanceKey: Key): void {
    this.agenda.push({ kind: 'complete', elementInstanceKey })
  }

  /**
   * Completes a waiting catch element that its event triggered, one agenda round later: taking
   * the trigger is a step of its own (as in the token simulator), so a throw event that triggered
   * it leaves first.
   */
  enqueueTriggeredComplete(elementInstanceKey: Key): void {
    this.agenda.push({ kind: 'complete', elementInstanceKey, hops: 1 })
  }

  /** Runs queued steps until nothing is left; inclusive joins are re-checked when it drains. */
  run(): void {
    for (;;) {
      while (this.head < this.agenda.length) {
        // An inclusive join fires as soon as no token can reach it (a token that was on its way
        // may just have been terminated), before the tokens queued at this instant move on.
        if (this.waitingInclusiveJoins()) this.fireReadyInclusiveJoins()
        const item = this.agenda[this.head++] as AgendaItem
        if (this.state.status !== 'active') break
        switch (item.kind) {
          case 'activate':
            if (item.hops !== undefined && item.hops > 0) {
              item.hops--
              this.agenda.push(item)
              break
            }
            if (item.via !== undefined) this.arrive(item.via, item.flowScopeKey)
            else {
              this.activate(
                item.nodeId,
                item.flowScopeKey,
                item.trigger,
                item.inner,
                item.compensation,
              )
            }
            if (this.simultaneousSignals !== undefined) this.deliverSimultaneousSignals(item)
            break
          case 'complete':
            if (item.hops !== undefined && item.hops > 0) {
              item.hops--
              this.agenda.push(item)
              break
            }
            this.complete(item.elementInstanceKey)
            break
          case 'resume':
            this.runActivation(item.elementInstanceKey)
            break
          case 'scope':
            this.checkScope(item.scopeKey)
            break
          case 'later': {
            const element = this.state.elements[item.elementInstanceKey]
            if (element) item.run(element)
            break
          }
        }
      }
      this.agenda.length = 0
      this.head = 0
      if (this.state.status !== 'active') return
      if (this.hasConditionalSubscriptions()) {
        evaluateConditions(this)
        if (this.agenda.length > 0) continue
      }
      if (!this.fireReadyInclusiveJoins()) return
    }
  }

  // -------------------------------------------------------------------------------------------
  // Element life cycle

  private activate(
    nodeId: string,
    flowScopeKey: Key,
    trigger?: Variables,
    inner?: Variables,
    compensation?: { readonly for?: Key; readonly scope?: Key },
  ): void {
    const node = this.node(nodeId)
    const key = this.ctx.nextKey()
    const loopRole =
      inner !== undefined ? 'inner' : node.multiInstance || node.standardLoop ? 'body' : undefined
    this.emit({
      type: 'ElementActivating',
      elementInstanceKey: key,
      elementId: nodeId,
      elementType: node.type,
      flowScopeKey,
      ...(trigger === undefined ? {} : { triggered: true }),
      ...(loopRole === undefined ? {} : { loopRole }),
      ...(compensation?.for === undefined ? {} : { compensationFor: compensation.for }),
      ...(compensation?.scope === undefined ? {} : { compensatesScope: compensation.scope }),
    })
    for (const [name, value] of Object.entries(inner ?? {})) this.setLocal(key, name, value)
    if (trigger !== undefined && Object.keys(trigger).length > 0) {
      const element = this.state.elements[key] as ElementInstanceState
      this.setCompletionVariables(element, node, trigger)
    }
    this.runActivation(key)
  }

  private hasConditionalSubscriptions(): boolean {
    const subscriptions = this.state.subscriptions
    if (!subscriptions) return false
    for (const key in subscriptions) if (subscriptions[key]?.kind === 'conditional') return true
    return false
  }

  /**
   * Completes an event-based gateway towards the catch element whose event came first; that
   * element is activated already triggered, with the event's variables.
   */
  completeGatewayTowards(
    gateway: ElementInstanceState,
    targetId: string,
    variables: Variables,
  ): void {
    const node = this.node(gateway.elementId)
    const flow = node.outgoing.map((id) => this.flow(id)).find((f) => f.targetRef === targetId)
    this.emit({ type: 'ElementCompleting', elementInstanceKey: gateway.key, elementId: node.id })
    this.emit({ type: 'ElementCompleted', elementInstanceKey: gateway.key, elementId: node.id })
    if (!flow) return
    this.emit({
      type: 'SequenceFlowTaken',
      flowId: flow.id,
      sourceId: flow.sourceRef,
      targetId: flow.targetRef,
      flowScopeKey: gateway.flowScopeKey,
    })
    this.enqueueActivate(targetId, gateway.flowScopeKey, variables)
  }

  /** Input mappings, then the element's own behaviour. Also the retry of an activation incident. */
  runActivation(elementInstanceKey: Key): void {
    const element = this.state.elements[elementInstanceKey]
    if (!element) return
    const node = this.node(element.elementId)
    if (element.revives !== undefined) {
      // Only hosts compensation handlers: no mappings, boundaries, event subprocesses or start.
      this.emit({ type: 'ElementActivated', elementInstanceKey, elementId: node.id })
      return
    }
    if (element.loopRole === 'body') {
      // Mappings and the element's behaviour belong to the iterations; boundaries to the body.
      this.emit({ type: 'ElementActivated', elementInstanceKey, elementId: node.id })
      if (node.boundaryEventIds && !openBoundarySubscriptions(this, element, node)) return
      startLoop(this, element, node)
      return
    }
    const inputs = node.ioMapping?.inputs
    if (inputs && inputs.length > 0) {
      if (!this.applyInputs(element, node, inputs)) return
    }
    this.emit({ type: 'ElementActivated', elementInstanceKey, elementId: node.id })
    if (
      element.loopRole !== 'inner' &&
      node.boundaryEventIds &&
      !openBoundarySubscriptions(this, element, node)
    ) {
      return
    }
    if (
      node.eventSubProcessIds &&
      !openEventSubprocessSubscriptions(this, element.key, element, node.eventSubProcessIds)
    ) {
      return
    }
    elementBehaviors[node.type].onActivated(this, element, node)
  }

  private complete(elementInstanceKey: Key): void {
    const element = this.state.elements[elementInstanceKey]
    if (!element || element.phase === 'completing') return
    this.emit({ type: 'ElementCompleting', elementInstanceKey, elementId: element.elementId })
    this.runCompletion(elementInstanceKey)
  }

  /** Output mappings, choosing the outgoing flows, then leaving. Also the retry of an incident. */
  runCompletion(elementInstanceKey: Key): void {
    const element = this.state.elements[elementInstanceKey]
    if (!element) return
    const node = this.node(element.elementId)
    if (element.revives !== undefined) {
      // Its handlers are done; it leaves no token and is not compensable again.
      this.emit({ type: 'ElementCompleted', elementInstanceKey, elementId: node.id })
      this.agenda.push({ kind: 'scope', scopeKey: element.flowScopeKey })
      return
    }
    if (element.loopRole === 'inner') {
      const outputs = node.ioMapping?.outputs
      if (outputs && outputs.length > 0 && !this.applyOutputs(element, node, outputs)) return
      const stop = innerCompleting(this, element, node)
      if (stop === undefined) return
      closeSubscriptionsHeldBy(this, elementInstanceKey)
      this.emit({ type: 'ElementCompleted', elementInstanceKey, elementId: node.id })
      const body = this.state.elements[element.flowScopeKey]
      if (body) innerCompleted(this, body, node, stop)
      this.agenda.push({ kind: 'scope', scopeKey: element.flowScopeKey })
      return
    }
    if (element.loopRole === 'body') bodyCompleting(this, element, node)
    else {
      const outputs = node.ioMapping?.outputs
      if (outputs && outputs.length > 0 && !this.applyOutputs(element, node, outputs)) return
    }
    const flows = this.selectOutgoing(element, node)
    if (!flows) return
    closeSubscriptionsHeldBy(this, elementInstanceKey)
    recordCompensable(this, element, node)
    this.emit({ type: 'ElementCompleted', elementInstanceKey, elementId: node.id })
    if (element.compensationFor) compensationHandlerDone(this, element)
    if (node.type === 'boundaryEvent' && node.eventDefinition?.type === 'cancel') {
      const transaction = this.cancelledTransactionOf(element, node)
      if (transaction) this.terminateElement(transaction)
    }
    const scope = this.state.elements[element.flowScopeKey]
    if (scope && this.node(scope.elementId).adHoc) adHocChildCompleted(this, scope)
    const tokens = node.completionQuantity ?? 1
    for (const flow of flows) {
      for (let i = 0; i < tokens; i++) this.takeFlow(flow, element.flowScopeKey)
    }
    if (flows.length === 0) this.agenda.push({ kind: 'scope', scopeKey: element.flowScopeKey })
  }

  private selectOutgoing(
    element: ElementInstanceState,
    node: FlowNode,
  ): SequenceFlow[] | undefined {
    const flows = node.outgoing.map((id) => this.flow(id))
    if (flows.length === 0) return flows
    switch (elementBehaviors[node.type].outgoing) {
      case 'all':
        return flows
      case 'first-true': {
        for (const flow of flows) {
          if (flow.id === node.defaultFlow) continue
          if (!flow.condition) return [flow]
          const result = this.evaluateCondition(element, flow)
          if (result === undefined) return undefined
          if (result) return [flow]
        }
        if (node.defaultFlow) return [this.flow(node.defaultFlow)]
        this.raiseIncident(
          element,
          IncidentErrorTypes.condition,
          `no outgoing sequence flow of gateway '${node.id}' has a condition that is true, and it has no default flow; add a default flow or change the conditions`,
          'complete',
        )
        return undefined
      }
      case 'all-true': {
        const taken: SequenceFlow[] = []
        let conditional = 0
        let conditionalTaken = 0
        for (const flow of flows) {
          if (flow.id === node.defaultFlow) continue
          if (!flow.condition) {
            taken.push(flow)
            continue
          }
          conditional++
          const result = this.evaluateCondition(element, flow)
          if (result === undefined) return undefined
          if (result) {
            taken.push(flow)
            conditionalTaken++
          }
        }
        // BPMN: the default flow is taken when no *conditional* flow is; unconditional flows go anyway.
        if (conditionalTaken === 0 && node.defaultFlow) taken.push(this.flow(node.defaultFlow))
        if (
          taken.length === 0 &&
          conditional > 0 &&
          (node.type === 'inclusiveGateway' || node.type === 'complexGateway')
        ) {
          this.raiseIncident(
            element,
            IncidentErrorTypes.condition,
            `no outgoing sequence flow of gateway '${node.id}' has a condition that is true, and it has no default flow; add a default flow or change the conditions`,
            'complete',
          )
          return undefined
        }
        return taken
      }
    }
  }

  private evaluateCondition(
    element: ElementInstanceState,
    flow: SequenceFlow,
  ): boolean | undefined {
    const condition = flow.condition as CompiledExpression
    const result = condition.evaluate(visibleVariables(this.state, element.key), this.feelOptions)
    if (!result.ok) {
      this.raiseIncident(
        element,
        IncidentErrorTypes.condition,
        `the condition of sequence flow '${flow.id}' failed: ${result.error}`,
        'complete',
      )
      return undefined
    }
    if (result.value === true) return true
    if (result.value === false || result.value === null) return false
    this.raiseIncident(
      element,
      IncidentErrorTypes.condition,
      `the condition '${condition.source}' of sequence flow '${flow.id}' must be a boolean but was ${JSON.stringify(toJson(result.value))}`,
      'complete',
    )
    return undefined
  }

  private flow(id: string): SequenceFlow {
    const flow = this.process.flows.get(id)
    if (!flow) throw new Error(`sequence flow ${id} is not in process ${this.process.id}`)
    return flow
  }

  /**
   * A token leaves along a sequence flow. It arrives at the target after two more agenda rounds,
   * as if entering and leaving the flow were steps of their own (as bpmn-js-token-simulation plays
   * them): concurrent tokens then interleave as in the simulator, e.g. an event subprocess a
   * throw event starts gets its first step in before the thrower's next element. Any interleaving
   * is BPMN; this one is the peer's.
   */
  private takeFlow(flow: SequenceFlow, flowScopeKey: Key): void {
    this.emit({
      type: 'SequenceFlowTaken',
      flowId: flow.id,
      sourceId: flow.sourceRef,
      targetId: flow.targetRef,
      flowScopeKey,
    })
    this.agenda.push({ kind: 'activate', nodeId: flow.targetRef, flowScopeKey, via: flow, hops: 2 })
  }

  /** A token arrives at the end of a sequence flow: it enters the target, or waits at a join. */
  private arrive(flow: SequenceFlow, flowScopeKey: Key): void {
    const target = this.node(flow.targetRef)
    if (target.startQuantity !== undefined) {
      this.arriveCounted(target, target.startQuantity, flow, flowScopeKey)
      return
    }
    const joining =
      target.incoming.length > 1 &&
      (target.type === 'parallelGateway' ||
        target.type === 'inclusiveGateway' ||
        target.type === 'complexGateway')
    if (!joining) {
      this.activate(target.id, flowScopeKey)
      return
    }
    this.emit({ type: 'JoinTokenArrived', gatewayId: target.id, flowId: flow.id, flowScopeKey })
    if (target.type === 'parallelGateway') {
      const join = this.state.joins[`${flowScopeKey}/${target.id}`] ?? {}
      if (target.incoming.every((id) => (join[id] ?? 0) > 0)) this.fireJoin(target, flowScopeKey)
    } else if (target.type === 'complexGateway' && target.activationCondition) {
      this.checkActivation(target, target.activationCondition, flowScopeKey)
    }
    // Inclusive joins (and complex joins without an activation condition) fire when the agenda
    // drains and no token can reach them.
  }

  /**
   * An activity with `startQuantity` above 1: tokens wait at it (on any incoming flow) until there
   * are that many; then that many are consumed and the activity starts once.
   */
  private arriveCounted(
    activity: FlowNode,
    quantity: number,
    flow: SequenceFlow,
    flowScopeKey: Key,
  ): void {
    this.emit({ type: 'JoinTokenArrived', gatewayId: activity.id, flowId: flow.id, flowScopeKey })
    const join = this.state.joins[`${flowScopeKey}/${activity.id}`] ?? {}
    const flows: string[] = []
    for (const [id, count] of Object.entries(join)) {
      for (let i = 0; i < count && flows.length < quantity; i++) flows.push(id)
    }
    if (flows.length < quantity) return
    this.emit({ type: 'JoinTokensConsumed', gatewayId: activity.id, flowScopeKey, flows })
    this.enqueueActivate(activity.id, flowScopeKey)
  }

  /**
   * A complex gateway waiting for its activation: fires when the activation condition holds
   * (`activationCount` is the number of tokens waiting), consuming the waiting tokens. Once fired,
   * it does not fire again until every token that could still arrive has (it resets when the
   * agenda drains and none can). A condition that fails or is not true counts as not yet: the
   * gateway keeps waiting.
   */
  private checkActivation(
    gateway: FlowNode,
    condition: CompiledExpression,
    flowScopeKey: Key,
  ): void {
    const id = `${flowScopeKey}/${gateway.id}`
    if (this.state.firedJoins?.[id]) return
    const join = this.state.joins[id] ?? {}
    let activationCount = 0
    for (const count of Object.values(join)) activationCount += count
    const variables = { ...this.variablesAt(flowScopeKey), activationCount }
    const result = condition.evaluate(variables, this.feelOptions)
    if (!result.ok || result.value !== true) return
    this.emit({ type: 'ComplexGatewayFired', gatewayId: gateway.id, flowScopeKey })
    this.fireJoin(gateway, flowScopeKey)
  }

  private fireJoin(gateway: FlowNode, flowScopeKey: Key): void {
    const join = this.state.joins[`${flowScopeKey}/${gateway.id}`] ?? {}
    const flows = gateway.incoming.filter((id) => (join[id] ?? 0) > 0)
    this.emit({ type: 'JoinTokensConsumed', gatewayId: gateway.id, flowScopeKey, flows })
    this.enqueueActivate(gateway.id, flowScopeKey)
  }

  /**
   * Fires every waiting inclusive join (and complex join without an activation condition) that no
   * token can reach any more, and resets every fired complex gateway that no token can reach,
   * consuming the tokens that came after it fired.
   */
  private fireReadyInclusiveJoins(): boolean {
    let fired = false
    const firedJoins = this.state.firedJoins
    const ids = Object.keys(this.state.joins)
    if (firedJoins) for (const id in firedJoins) if (!(id in this.state.joins)) ids.push(id)
    for (const id of ids) {
      const slash = id.lastIndexOf('/')
      const flowScopeKey = id.slice(0, slash)
      const gateway = this.node(id.slice(slash + 1))
      if (gateway.type !== 'inclusiveGateway' && gateway.type !== 'complexGateway') continue
      const reach = this.process.inclusiveJoinReach.get(gateway.id)
      if (reach && this.tokenHoldsJoin(flowScopeKey, gateway.id, reach)) continue
      if (gateway.type === 'complexGateway') {
        if (this.state.firedJoins?.[id]) {
          const flows = Object.entries(this.state.joins[id] ?? {}).flatMap(([flow, count]) =>
            Array<string>(count).fill(flow),
          )
          if (flows.length > 0) {
            this.emit({ type: 'JoinTokensConsumed', gatewayId: gateway.id, flowScopeKey, flows })
          }
          this.emit({ type: 'ComplexGatewayReset', gatewayId: gateway.id, flowScopeKey })
          this.agenda.push({ kind: 'scope', scopeKey: flowScopeKey })
          fired = true
          continue
        }
        // With an activation condition it fires only when the condition holds.
        if (gateway.activationCondition) continue
      }
      this.fireJoin(gateway, flowScopeKey)
      fired = true
    }
    return fired
  }

  /**
   * Whether a token of the scope may still arrive at a waiting inclusive (or complex) join, so it
   * must wait. BPMN: a token upstream holds the join back when a path from it ends on an incoming
   * flow that has no token yet, unless another path from it ends on one that has a token.
   */
  /** Whether tokens wait at an inclusive (or complex) join of this process. */
  private waitingInclusiveJoins(): boolean {
    if (this.process.inclusiveJoinReach.size === 0) return false
    for (const _ in this.state.joins) return true
    return this.state.firedJoins !== undefined
  }

  private tokenHoldsJoin(
    flowScopeKey: Key,
    gatewayId: string,
    reach: ReadonlyMap<string, ReadonlySet<string>>,
  ): boolean {
    const join = this.state.joins[`${flowScopeKey}/${gatewayId}`] ?? {}
    const holds = (elementId: string): boolean => {
      const flows = reach.get(elementId)
      if (!flows) return false
      let empty = false
      for (const flow of flows) {
        if ((join[flow] ?? 0) > 0) return false
        empty = true
      }
      return empty
    }
    for (const element of Object.values(this.state.elements)) {
      if (element.flowScopeKey === flowScopeKey && holds(element.elementId)) return true
    }
    // Tokens queued to enter an element at this instant, or on their way to the join itself.
    for (let i = this.head; i < this.agenda.length; i++) {
      const item = this.agenda[i] as AgendaItem
      if (item.kind !== 'activate' || item.flowScopeKey !== flowScopeKey) continue
      if (item.via !== undefined && item.nodeId === gatewayId) return true
      if (holds(item.nodeId)) return true
    }
    const prefix = `${flowScopeKey}/`
    for (const id of Object.keys(this.state.joins)) {
      if (!id.startsWith(prefix)) continue
      const other = id.slice(prefix.length)
      if (other !== gatewayId && holds(other)) return true
    }
    return false
  }

  /** The transaction a cancel boundary event caught the cancellation of (it ends with the boundary). */
  private cancelledTransactionOf(
    boundary: ElementInstanceState,
    node: FlowNode,
  ): ElementInstanceState | undefined {
    if (boundary.cancelsTransaction !== undefined) {
      return this.state.elements[boundary.cancelsTransaction]
    }
    // A boundary activated before it recorded its transaction.
    for (const element of Object.values(this.state.elements)) {
      if (
        element.elementId === node.attachedToRef &&
        element.flowScopeKey === boundary.flowScopeKey
      )
        return element
    }
    return undefined
  }

  /** Completes a scope (subprocess or the process) when nothing is left running in it. */
  private checkScope(scopeKey: Key): void {
    for (const element of Object.values(this.state.elements)) {
      if (element.flowScopeKey === scopeKey) return
    }
    const prefix = `${scopeKey}/`
    for (const id of Object.keys(this.state.joins)) if (id.startsWith(prefix)) return
    for (let i = this.head; i < this.agenda.length; i++) {
      const item = this.agenda[i] as AgendaItem
      if (item.kind === 'activate' && item.flowScopeKey === scopeKey) return
    }
    if (scopeKey === this.state.key) {
      this.completeInstance()
      return
    }
    const scope = this.state.elements[scopeKey]
    if (scope && scope.adHocQueue && adHocNext(this, scope)) return
    if (scope && scope.phase === 'active') this.complete(scopeKey)
  }

  completeInstance(): void {
    closeSubscriptionsHeldBy(this, this.state.key)
    this.emit({ type: 'ProcessInstanceCompleted' })
    const parent = this.state.parent
    if (parent) {
      this.command({
        type: 'CompleteCallActivity',
        instanceKey: parent.instanceKey,
        elementInstanceKey: parent.elementInstanceKey,
        variables: { ...this.state.variables[this.state.key] },
      })
    }
  }

  // -------------------------------------------------------------------------------------------
  // Termination

  /** Terminates every element instance in the scope (innermost first) and drops its join tokens. */
  terminateChildren(scopeKey: Key, except?: Key): void {
    for (const element of Object.values(this.state.elements)) {
      if (element.key === except) continue
      if (element.flowScopeKey === scopeKey && this.state.elements[element.key]) {
        this.terminateElement(element)
      }
    }
    const prefix = `${scopeKey}/`
    for (const id of Object.keys(this.state.firedJoins ?? {})) {
      if (!id.startsWith(prefix)) continue
      const gatewayId = id.slice(prefix.length)
      this.emit({ type: 'ComplexGatewayReset', gatewayId, flowScopeKey: scopeKey })
    }
    for (const [id, join] of Object.entries(this.state.joins)) {
      if (!id.startsWith(prefix)) continue
      this.emit({
        type: 'JoinTokensConsumed',
        gatewayId: id.slice(prefix.length),
        flowScopeKey: scopeKey,
        flows: Object.entries(join).flatMap(([flow, count]) => Array<string>(count).fill(flow)),
      })
    }
    for (let i = this.agenda.length - 1; i >= this.head; i--) {
      const item = this.agenda[i] as AgendaItem
      if (item.kind === 'activate' && item.flowScopeKey === scopeKey) this.agenda.splice(i, 1)
    }
  }

  terminateElement(element: ElementInstanceState): void {
    this.terminateChildren(element.key)
    const node = this.node(element.elementId)
    elementBehaviors[node.type].onTerminate?.(this, element, node)
    closeSubscriptionsHeldBy(this, element.key)
    if (element.incident) {
      this.emit({
        type: 'IncidentResolved',
        incidentKey: element.incident.key,
        elementInstanceKey: element.key,
      })
    }
    this.emit({ type: 'ElementTerminated', elementInstanceKey: element.key, elementId: node.id })
  }

  // -------------------------------------------------------------------------------------------
  // Variables and expressions

  variablesAt(scopeKey: Key): Variables {
    return visibleVariables(this.state, scopeKey)
  }

  setLocal(scopeKey: Key, name: string, value: JsonValue): void {
    const scope = this.state.variables[scopeKey]
    const created = scope === undefined || !Object.hasOwn(scope, name)
    this.variableChanges.push({ scopeKey, name, created })
    this.emit({ type: 'VariableSet', scopeKey, name, value, created })
  }

  /** Sets a variable where it already lives (nearest scope outwards), else on the instance. */
  setPropagated(fromScopeKey: Key, name: string, value: JsonValue): void {
    this.setLocal(propagationScope(this.state, fromScopeKey, name), name, value)
  }

  /**
   * Variables a job, user task, script or called instance completed with: local to the element
   * when it has output mappings (they pick what leaves), propagated outwards otherwise.
   */
  setCompletionVariables(
    element: ElementInstanceState,
    node: FlowNode,
    variables: Variables,
  ): void {
    const local = (node.ioMapping?.outputs.length ?? 0) > 0
    for (const [name, value] of Object.entries(variables)) {
      if (local) this.setLocal(element.key, name, value)
      else this.setPropagated(element.flowScopeKey, name, value)
    }
  }

  private applyInputs(
    element: ElementInstanceState,
    node: FlowNode,
    inputs: readonly VariableMapping[],
  ): boolean {
    for (const mapping of inputs) {
      const result = mapping.source.evaluate(this.variablesAt(element.key), this.feelOptions)
      if (!result.ok) {
        this.raiseIncident(
          element,
          IncidentErrorTypes.ioMapping,
          `input mapping '${mapping.source.source}' -> '${mapping.target}' of '${node.id}' failed: ${result.error}`,
          'activate',
        )
        return false
      }
      const target = parseTarget(mapping.target)
      if (!target) continue
      const current = this.state.variables[element.key]?.[target.name]
      this.setLocal(element.key, target.name, setAtPath(current, target.path, toJson(result.value)))
    }
    return true
  }

  private applyOutputs(
    element: ElementInstanceState,
    node: FlowNode,
    outputs: readonly VariableMapping[],
  ): boolean {
    const values: { name: string; path: string[]; value: JsonValue }[] = []
    const variables = this.variablesAt(element.key)
    for (const mapping of outputs) {
      const result = mapping.source.evaluate(variables, this.feelOptions)
      if (!result.ok) {
        this.raiseIncident(
          element,
          IncidentErrorTypes.ioMapping,
          `output mapping '${mapping.source.source}' -> '${mapping.target}' of '${node.id}' failed: ${result.error}`,
          'complete',
        )
        return false
      }
      const target = parseTarget(mapping.target)
      if (target) values.push({ ...target, value: toJson(result.value) })
    }
    const outer = element.flowScopeKey
    for (const { name, path, value } of values) {
      const scope = propagationScope(this.state, outer, name)
      const current = path.length > 0 ? this.state.variables[scope]?.[name] : undefined
      this.setLocal(scope, name, setAtPath(current, path, value))
    }
    return true
  }

  /** Evaluates a FEEL expression for an element; a failure raises an incident. */
  evaluate(
    element: ElementInstanceState,
    expression: CompiledExpression,
    what: string,
    step: IncidentRef['step'] = 'activate',
  ): Evaluated<unknown> {
    const result: FeelResult = expression.evaluate(this.variablesAt(element.key), this.feelOptions)
    if (result.ok) return { ok: true, value: result.value }
    this.raiseIncident(
      element,
      IncidentErrorTypes.expression,
      `${what} of '${element.elementId}' failed: ${result.error}`,
      step,
    )
    return { ok: false }
  }

  /** Evaluates a literal-or-FEEL attribute; a literal is its text. */
  attribute(
    element: ElementInstanceState,
    value: AttributeValue,
    what: string,
  ): Evaluated<unknown> {
    if (value.kind === 'literal') return { ok: true, value: value.value }
    return this.evaluate(element, value.expression, what)
  }

  /** Like `attribute`, but the value must be a string (or null when `optional`). */
  stringAttribute(
    element: ElementInstanceState,
    value: AttributeValue | undefined,
    what: string,
  ): Evaluated<string | null> {
    if (value === undefined) return { ok: true, value: null }
    const result = this.attribute(element, value, what)
    if (!result.ok) return result
    if (result.value === null || typeof result.value === 'string')
      return { ok: true, value: result.value }
    if (typeof result.value === 'number') return { ok: true, value: String(result.value) }
    this.raiseIncident(
      element,
      IncidentErrorTypes.extractValue,
      `${what} of '${element.elementId}' must be a string but was ${JSON.stringify(toJson(result.value))}`,
      'activate',
    )
    return { ok: false }
  }

  raiseIncident(
    element: ElementInstanceState,
    errorType: IncidentErrorType,
    errorMessage: string,
    step: IncidentRef['step'],
    jobKey?: Key,
  ): void {
    this.emit({
      type: 'IncidentCreated',
      incidentKey: this.ctx.nextKey(),
      elementInstanceKey: element.key,
      elementId: element.elementId,
      errorType,
      errorMessage,
      step,
      ...(jobKey === undefined ? {} : { jobKey }),
    })
  }
}
