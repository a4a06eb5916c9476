/**
 * Makes a token simulation model deployable without changing what it means, and says how the
 * harness triggers each element. The models are plain BPMN drawn for bpmn-js-token-simulation,
 * where nothing runs by itself: tasks complete at once, catch events wait until a user triggers
 * them, gateways take the flows the user picked. Every rewrite is listed (RewriteKinds) and
 * reported per scenario.
 */
import { XmlEditor, escapeAttribute, scanXml, type XmlNode } from './token-simulation-xml.ts'

const zeebeNamespace = 'http://camunda.org/schema/zeebe/1.0'
const xsiNamespace = 'http://www.w3.org/2001/XMLSchema-instance'
/** The correlation key every rewritten message subscription uses (one value, an expression). */
export const correlationKey = 'token-simulation'

/** Each rewrite the harness may make, and why it keeps the model's meaning. */
export const RewriteKinds = {
  descriptive:
    'process marked isExecutable="false": the simulator plays every process as a descriptive diagram, with token-flow semantics, whatever isExecutable says (Camunda Modeler writes isExecutable="true" into new diagrams); Baton runs the processes of a file without executable process the same way',
  manualBoundary:
    'boundary event without event definition gets a message "ts:<id>" (the simulator lets its user trigger it by hand; Baton, running the model as a descriptive process, would deploy it and never trigger it)',
  waitTask:
    'waitAtElement task bound to a job the harness completes when the scenario triggers it (a plain task becomes a service task with zeebe:taskDefinition type "ts-wait:<id>")',
  messageTask:
    'task with an incoming message flow bound to a job the harness completes when the message flow delivers (the simulator\'s tasks wait for their incoming messages; a plain task becomes a service task with zeebe:taskDefinition type "ts-wait:<id>")',
  jobTask:
    'service, send, script or business rule task that Baton runs as a job bound to zeebe:taskDefinition type "ts:<id>", completed at once by the harness (which then delivers its message flows)',
  linkName:
    'link events without a name share the name "ts:anonymous-link" (the simulator pairs links by name, and all missing names are equal)',
  messageName:
    'message catch without a named message gets its own message "ts:<id>" (the simulator triggers each catch by hand)',
  messageCorrelation: `message caught in a running instance gets zeebe:subscription correlationKey="${correlationKey}"`,
  signalName:
    'signal events without signalRef share one signal "ts:anonymous-signal" (the simulator matches signals by reference, and all missing references are equal)',
  errorCode:
    'error or escalation without a code gets its id as code; a thrown one without a reference gets a shared anonymous one (the simulator matches by reference)',
  timerDuration:
    'timer without a time gets one far away ("PT1H", a start event "2099-01-01T00:00:00Z"); the harness fires it when the scenario triggers it, as the simulator does',
  conditionVariable:
    'conditional event without a condition waits for "=ts_<id> = true"; the harness sets the variable when the scenario triggers it',
  forcedFlow:
    'setConfig activeOutgoing: the gateway\'s outgoing flows get conditions "=true" (the forced flows) and "=false" (the others); when a scenario changes them during the run, "=list contains(ts_flows_<gateway>, "<flow>")" and the harness sets that variable',
} as const
export type RewriteKind = keyof typeof RewriteKinds

/** How the harness triggers an element. */
export type TriggerBinding =
  /** Starts an instance: at this start event, or (`implicit`) at a process without any. */
  | { readonly kind: 'start'; readonly processId: string; readonly implicit?: boolean }
  /** A message; `start`: for a process's message start event (each starts a new instance). */
  | { readonly kind: 'message'; readonly name: string; readonly start?: boolean }
  | { readonly kind: 'signal'; readonly name: string }
  | { readonly kind: 'timer' }
  | { readonly kind: 'condition'; readonly variable: string }
  | { readonly kind: 'job'; readonly type: string }
  | { readonly kind: 'none'; readonly reason: string }

export interface ModelElement {
  readonly id: string
  /** Local tag name (`task`, `boundaryEvent`, `messageFlow`). */
  readonly tag: string
  /** `timerEventDefinition` without the suffix: `timer`, `message`...; undefined when none. */
  readonly eventKind: string | undefined
  readonly processId: string | undefined
  readonly parentTag: string | undefined
  readonly attributes: Readonly<Record<string, string>>
}

export interface PreparedModel {
  readonly xml: string
  readonly rewrites: ReadonlyMap<RewriteKind, readonly string[]>
  readonly elements: ReadonlyMap<string, ModelElement>
  /** Ids of flow nodes (what the trace compares). */
  readonly flowNodes: ReadonlySet<string>
  /** Ids of joining gateways (parallel, inclusive, complex). */
  readonly joinGateways: ReadonlySet<string>
  readonly processIds: readonly string[]
  readonly triggers: ReadonlyMap<string, TriggerBinding>
  /** A forced flow the harness could not express; undefined when all were. */
  readonly limitation: string | undefined
}

export interface PrepareOptions {
  /** Gateway id -> the flows it must take. */
  readonly forcedFlows: ReadonlyMap<string, readonly string[]>
  /** Tasks that wait until the scenario triggers them. */
  readonly waitAt: ReadonlySet<string>
  /** Gateways whose forced flows change during the run: they read `forcedFlowsVariable(id)`. */
  readonly changingFlows?: ReadonlySet<string>
}

/** The variable holding the flows a gateway must take, when the scenario changes them mid-run. */
export function forcedFlowsVariable(gatewayId: string): string {
  return `ts_flows_${gatewayId.replace(/\W/g, '_')}`
}

const flowNodeTags = new Set([
  'startEvent',
  'endEvent',
  'intermediateThrowEvent',
  'intermediateCatchEvent',
  'boundaryEvent',
  'task',
  'serviceTask',
  'sendTask',
  'receiveTask',
  'userTask',
  'manualTask',
  'scriptTask',
  'businessRuleTask',
  'callActivity',
  'subProcess',
  'transaction',
  'adHocSubProcess',
  'exclusiveGateway',
  'inclusiveGateway',
  'parallelGateway',
  'eventBasedGateway',
  'complexGateway',
])
const joinGatewayTags = new Set(['parallelGateway', 'inclusiveGateway', 'complexGateway'])
const jobTaskTags = new Set(['serviceTask', 'sendTask', 'businessRuleTask', 'scriptTask'])
const plainTaskTags = new Set(['task', 'manualTask'])

/**
 * Reads a model and rewrites it for deploy.
 *
 * @example
 * const model = prepareModel(xml, { forcedFlows: new Map([['GATE', ['Flow_2']]]), waitAt: new Set() })
 * await engine.deploy([{ name: 'model.bpmn', xml: model.xml }])
 */
export function prepareModel(source: string, options: PrepareOptions): PreparedModel {
  const nodes = scanXml(source)
  const editor = new XmlEditor(source)
  const rewrites = new Map<RewriteKind, string[]>()
  const note = (kind: RewriteKind, id: string): void => {
    const list = rewrites.get(kind) ?? []
    list.push(id)
    rewrites.set(kind, list)
  }
  const byId = new Map<string, XmlNode>()
  for (const node of nodes) {
    const id = node.attributes['id']
    if (id !== undefined && !byId.has(id)) byId.set(id, node)
  }
  const definitions = nodes.find((node) => node.name === 'definitions')
  const bpmnPrefix = definitions?.prefix ?? ''
  const bpmn = (name: string): string => `${bpmnPrefix}${name}`
  const addedRoots: string[] = []

  const elements = new Map<string, ModelElement>()
  const flowNodes = new Set<string>()
  const joinGateways = new Set<string>()
  const processIds: string[] = []
  for (const node of nodes) {
    const id = node.attributes['id']
    if (id === undefined) continue
    if (node.name === 'process') processIds.push(id)
    const definition = eventDefinitionOf(node)
    elements.set(id, {
      id,
      tag: node.name,
      eventKind: definition?.name.replace(/EventDefinition$/, ''),
      processId: enclosing(node, 'process')?.attributes['id'],
      parentTag: node.parent?.name,
      attributes: node.attributes,
    })
    if (flowNodeTags.has(node.name)) flowNodes.add(id)
    if (joinGatewayTags.has(node.name)) joinGateways.add(id)
  }

  // The simulator plays every process as a descriptive diagram, whatever isExecutable says
  // (Camunda Modeler writes isExecutable="true" into every new diagram).
  for (const node of nodes) {
    if (node.name !== 'process' || node.attributes['isExecutable'] !== 'true') continue
    editor.setAttribute(node, 'isExecutable', 'false')
    note('descriptive', node.attributes['id'] ?? '?')
  }

  // The simulator's tasks wait for the messages their incoming message flows bring.
  const messageTargets = new Set(
    nodes
      .filter((node) => node.name === 'messageFlow')
      .map((flow) => flow.attributes['targetRef'])
      .filter((target) => target !== undefined),
  )
  const triggers = new Map<string, TriggerBinding>()
  let needsXsi = false
  let anonymousSignal = false
  let anonymousError = false
  let anonymousEscalation = false
  const messageNames = new Map<XmlNode, string>()
  const subscribed = new Set<XmlNode>()

  const addExtension = (node: XmlNode, xml: string): void => {
    const existing = node.children.find((child) => child.name === 'extensionElements')
    if (existing) editor.appendChild(existing, xml)
    else
      editor.appendChild(
        node,
        `<${bpmn('extensionElements')}>${xml}</${bpmn('extensionElements')}>`,
      )
  }

  /** The message a catch waits for, named and (inside an instance) correlated. */
  const bindMessage = (owner: XmlNode, refHolder: XmlNode, correlated: boolean): string => {
    const ownerId = owner.attributes['id'] ?? '?'
    const ref = refHolder.attributes['messageRef']
    const message = ref === undefined ? undefined : byId.get(ref)
    let name: string
    if (message === undefined) {
      name = `ts:${ownerId}`
      const messageId = `TS_Message_${ownerId}`
      const subscription = correlated
        ? `<${bpmn('extensionElements')}><zeebe:subscription correlationKey="=&quot;${correlationKey}&quot;"/></${bpmn('extensionElements')}>`
        : ''
      addedRoots.push(
        `<${bpmn('message')} id="${escapeAttribute(messageId)}" name="${escapeAttribute(name)}">${subscription}</${bpmn('message')}>`,
      )
      editor.setAttribute(refHolder, 'messageRef', messageId)
      note('messageName', ownerId)
      if (correlated) note('messageCorrelation', ownerId)
      return name
    }
    name = messageNames.get(message) ?? message.attributes['name'] ?? ''
    if (name.trim() === '') {
      name = message.attributes['id'] ?? `ts:${ownerId}`
      editor.setAttribute(message, 'name', name)
      note('messageName', ownerId)
    }
    messageNames.set(message, name)
    const hasSubscription = message.children.some((child) =>
      child.children.some((grand) => grand.name === 'subscription'),
    )
    if (correlated && !hasSubscription && !subscribed.has(message)) {
      subscribed.add(message)
      addExtension(message, `<zeebe:subscription correlationKey="=&quot;${correlationKey}&quot;"/>`)
      note('messageCorrelation', ownerId)
    }
    return name
  }

  for (const node of nodes) {
    const id = node.attributes['id']
    if (id === undefined || !flowNodeTags.has(node.name)) continue
    const definition = eventDefinitionOf(node)
    const kind = definition?.name.replace(/EventDefinition$/, '')
    const isCatch =
      node.name === 'startEvent' ||
      node.name === 'intermediateCatchEvent' ||
      node.name === 'boundaryEvent'
    const processStart = node.name === 'startEvent' && node.parent?.name === 'process'

    if (node.name === 'receiveTask') {
      triggers.set(id, { kind: 'message', name: bindMessage(node, node, true) })
      continue
    }
    const waits = options.waitAt.has(id) || messageTargets.has(id)
    if (waits && (plainTaskTags.has(node.name) || jobTaskTags.has(node.name))) {
      if (plainTaskTags.has(node.name)) editor.rename(node, 'serviceTask')
      addExtension(node, `<zeebe:taskDefinition type="${escapeAttribute(`ts-wait:${id}`)}"/>`)
      note(options.waitAt.has(id) ? 'waitTask' : 'messageTask', id)
      triggers.set(id, { kind: 'job', type: `ts-wait:${id}` })
      continue
    }
    if (jobTaskTags.has(node.name) && !hasTaskDefinition(node)) {
      addExtension(node, `<zeebe:taskDefinition type="${escapeAttribute(`ts:${id}`)}"/>`)
      note('jobTask', id)
    }
    if (node.name === 'boundaryEvent' && definition === undefined) {
      // The simulator lets its user trigger a boundary event without trigger by hand.
      const name = `ts:${id}`
      const messageId = `TS_Message_${id}`
      addedRoots.push(
        `<${bpmn('message')} id="${escapeAttribute(messageId)}" name="${escapeAttribute(name)}"><${bpmn('extensionElements')}><zeebe:subscription correlationKey="=&quot;${correlationKey}&quot;"/></${bpmn('extensionElements')}></${bpmn('message')}>`,
      )
      editor.appendChild(
        node,
        `<${bpmn('messageEventDefinition')} messageRef="${escapeAttribute(messageId)}"/>`,
      )
      note('manualBoundary', id)
      triggers.set(id, { kind: 'message', name })
      continue
    }
    if (definition === undefined || kind === undefined) {
      triggers.set(
        id,
        processStart && node.parent?.attributes['id'] !== undefined
          ? { kind: 'start', processId: node.parent.attributes['id'] }
          : { kind: 'none', reason: `${node.name} '${id}' waits for nothing the harness can send` },
      )
      continue
    }
    if (kind === 'message' && isCatch) {
      const name = bindMessage(node, definition, !processStart)
      triggers.set(
        id,
        processStart ? { kind: 'message', name, start: true } : { kind: 'message', name },
      )
      continue
    }
    switch (kind) {
      case 'message':
        // A message throw event without a job sends its message and goes on (Baton runs it so
        // in a descriptive process); the harness delivers its message flows when it completes.
        break
      case 'link':
        if ((definition.attributes['name'] ?? '').trim() === '') {
          editor.setAttribute(definition, 'name', 'ts:anonymous-link')
          note('linkName', id)
        }
        triggers.set(id, {
          kind: 'none',
          reason: `link ${node.name} '${id}' is reached only through its link throw`,
        })
        break
      case 'signal':
        if (definition.attributes['signalRef'] === undefined) {
          anonymousSignal = true
          editor.setAttribute(definition, 'signalRef', 'TS_Signal')
          note('signalName', id)
          if (isCatch) triggers.set(id, { kind: 'signal', name: 'ts:anonymous-signal' })
        } else if (isCatch) {
          const signal = byId.get(definition.attributes['signalRef'])
          const name = signal?.attributes['name'] ?? signal?.attributes['id'] ?? ''
          if (signal !== undefined && (signal.attributes['name'] ?? '') === '') {
            editor.setAttribute(signal, 'name', name)
            note('signalName', id)
          }
          triggers.set(id, { kind: 'signal', name })
        }
        break
      case 'timer':
        if (
          !definition.children.some((child) =>
            ['timeDuration', 'timeDate', 'timeCycle'].includes(child.name),
          )
        ) {
          needsXsi = true
          const [tag, value] =
            node.name === 'startEvent'
              ? ['timeDate', '2099-01-01T00:00:00Z']
              : ['timeDuration', 'PT1H']
          editor.appendChild(
            definition,
            `<${bpmn(tag)} xsi:type="${bpmn('tFormalExpression')}">${value}</${bpmn(tag)}>`,
          )
          note('timerDuration', id)
        }
        triggers.set(id, { kind: 'timer' })
        break
      case 'conditional': {
        const variable = `ts_${id.replace(/\W/g, '_')}`
        const condition = definition.children.find((child) => child.name === 'condition')
        const body = source.slice(condition?.openEnd ?? 0, condition?.closeStart ?? 0).trim()
        if (condition === undefined || condition.selfClosing || body === '') {
          needsXsi = true
          const xml = `<${bpmn('condition')} xsi:type="${bpmn('tFormalExpression')}">=${variable} = true</${bpmn('condition')}>`
          if (condition) editor.replace(condition, xml)
          else editor.appendChild(definition, xml)
          note('conditionVariable', id)
          triggers.set(id, { kind: 'condition', variable })
        } else {
          triggers.set(id, {
            kind: 'none',
            reason: `conditional event '${id}' has its own condition (${body})`,
          })
        }
        break
      }
      case 'error':
      case 'escalation': {
        const refName = kind === 'error' ? 'errorRef' : 'escalationRef'
        const codeName = kind === 'error' ? 'errorCode' : 'escalationCode'
        const ref = definition.attributes[refName]
        const target = ref === undefined ? undefined : byId.get(ref)
        if (target !== undefined && (target.attributes[codeName] ?? '').trim() === '') {
          editor.setAttribute(target, codeName, target.attributes['id'] ?? ref ?? '')
          note('errorCode', id)
        } else if (ref === undefined && !isCatch) {
          if (kind === 'error') anonymousError = true
          else anonymousEscalation = true
          editor.setAttribute(definition, refName, kind === 'error' ? 'TS_Error' : 'TS_Escalation')
          note('errorCode', id)
        }
        triggers.set(id, {
          kind: 'none',
          reason: `${kind} ${node.name} '${id}' is triggered only by a thrown ${kind}`,
        })
        break
      }
      default:
        triggers.set(id, {
          kind: 'none',
          reason: `${kind} ${node.name} '${id}' cannot be triggered from outside`,
        })
    }
  }

  // A process without start events starts at its flow nodes without incoming flow: triggering
  // one of them starts an instance (Baton runs it as a descriptive process).
  const targets = new Set(
    nodes
      .filter((node) => node.name === 'sequenceFlow')
      .map((flow) => flow.attributes['targetRef']),
  )
  for (const node of nodes) {
    const id = node.attributes['id']
    const process = node.parent
    if (id === undefined || !flowNodeTags.has(node.name) || process?.name !== 'process') continue
    if (process.children.some((child) => child.name === 'startEvent')) continue
    if (targets.has(id) || node.name === 'boundaryEvent') continue
    if (node.attributes['triggeredByEvent'] === 'true') continue
    const processId = process.attributes['id']
    if (processId !== undefined) triggers.set(id, { kind: 'start', processId, implicit: true })
  }

  const limitation = forceFlows(
    nodes,
    byId,
    editor,
    options.forcedFlows,
    options.changingFlows ?? new Set(),
    bpmn,
    note,
  )
  if (options.forcedFlows.size > 0) needsXsi = true

  if (anonymousSignal)
    addedRoots.push(`<${bpmn('signal')} id="TS_Signal" name="ts:anonymous-signal"/>`)
  if (anonymousError)
    addedRoots.push(`<${bpmn('error')} id="TS_Error" errorCode="ts:anonymous-error"/>`)
  if (anonymousEscalation)
    addedRoots.push(
      `<${bpmn('escalation')} id="TS_Escalation" escalationCode="ts:anonymous-escalation"/>`,
    )
  if (definitions) {
    for (const root of addedRoots) editor.appendChild(definitions, root)
    // The simulator follows Camunda's token semantics (implicit end events, a message flow may
    // start a none start event), so every model runs in the Camunda 8 dialect: the BPMN
    // specification's strict rules for plain files (model/dialect.ts) are not what it measures.
    if (!Object.values(definitions.attributes).includes(zeebeNamespace))
      editor.setAttribute(definitions, 'xmlns:zeebe', zeebeNamespace)
    if (needsXsi && definitions.attributes['xmlns:xsi'] === undefined)
      editor.setAttribute(definitions, 'xmlns:xsi', xsiNamespace)
  }

  return {
    xml: editor.toString(),
    rewrites,
    elements,
    flowNodes,
    joinGateways,
    processIds,
    triggers,
    limitation,
  }
}

function eventDefinitionOf(node: XmlNode): XmlNode | undefined {
  return node.children.find((child) => child.name.endsWith('EventDefinition'))
}

function hasTaskDefinition(node: XmlNode): boolean {
  return node.children.some(
    (child) =>
      child.name === 'extensionElements' &&
      child.children.some((grand) => grand.name === 'taskDefinition'),
  )
}

function enclosing(node: XmlNode, name: string): XmlNode | undefined {
  let current = node.parent
  while (current !== undefined && current.name !== name) current = current.parent
  return current
}

/** Rewrites the conditions of forced gateways; returns why one could not be forced. */
function forceFlows(
  nodes: readonly XmlNode[],
  byId: ReadonlyMap<string, XmlNode>,
  editor: XmlEditor,
  forced: ReadonlyMap<string, readonly string[]>,
  changing: ReadonlySet<string>,
  bpmn: (name: string) => string,
  note: (kind: RewriteKind, id: string) => void,
): string | undefined {
  for (const [gatewayId, flows] of forced) {
    const gateway = byId.get(gatewayId)
    if (gateway === undefined) return `setConfig names '${gatewayId}', which is not in the model`
    if (gateway.name !== 'exclusiveGateway' && gateway.name !== 'inclusiveGateway')
      return `setConfig on ${gateway.name} '${gatewayId}': only exclusive and inclusive gateways choose flows`
    const outgoing = nodes.filter(
      (node) => node.name === 'sequenceFlow' && node.attributes['sourceRef'] === gatewayId,
    )
    const unknown = flows.filter((flow) => !outgoing.some((node) => node.attributes['id'] === flow))
    if (unknown.length > 0)
      return `setConfig forces ${unknown.join(', ')}, not an outgoing flow of '${gatewayId}'`
    if (gateway.name === 'exclusiveGateway' && flows.length !== 1)
      return `setConfig forces ${flows.length} flows out of exclusive gateway '${gatewayId}'`
    const defaultFlow = gateway.attributes['default']
    if (defaultFlow !== undefined && flows.includes(defaultFlow) && flows.length > 1)
      return `setConfig forces the default flow '${defaultFlow}' of '${gatewayId}' together with others; no conditions can express that`
    if (outgoing.length < 2) continue // nothing to choose
    for (const flow of outgoing) {
      const flowId = flow.attributes['id'] ?? ''
      if (flowId === defaultFlow) continue
      const value = changing.has(gatewayId)
        ? `=list contains(${forcedFlowsVariable(gatewayId)}, &quot;${escapeAttribute(flowId)}&quot;)`
        : flows.includes(flowId)
          ? '=true'
          : '=false'
      const condition = `<${bpmn('conditionExpression')} xsi:type="${bpmn('tFormalExpression')}">${value}</${bpmn('conditionExpression')}>`
      const existing = flow.children.find((child) => child.name === 'conditionExpression')
      if (existing) editor.replace(existing, condition)
      else editor.appendChild(flow, condition)
    }
    note('forcedFlow', gatewayId)
  }
  return undefined
}
