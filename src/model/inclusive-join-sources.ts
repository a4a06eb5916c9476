import type { FlowNode, SequenceFlow } from './types.ts'

/**
 * For each inclusive or complex gateway with more than one incoming flow: the flow nodes of its
 * scope from which a path reaches it without passing through the gateway itself, each with the
 * incoming flows of the gateway its paths end on. The engine uses it to decide whether a token may
 * still arrive before the join fires: BPMN's rule is that a token upstream holds the join back
 * only when it can reach an incoming flow that has no token yet and no incoming flow that has one.
 * A subprocess is one node of its parent scope (sequence flows never cross scopes). Besides
 * sequence flows, a path may leave an activity through one of its boundary events, and jump from a
 * link throw event to the link catch event of the same name.
 *
 * @example
 * // start -> fork -(f1)-> a -(f3)-> join, fork -(f2)-> b -(f4)-> join:
 * // reach of join: start -> {f3, f4}, fork -> {f3, f4}, a -> {f3}, b -> {f4}
 */
export function computeInclusiveJoinReach(
  nodes: ReadonlyMap<string, FlowNode>,
  flows: ReadonlyMap<string, SequenceFlow>,
): Map<string, Map<string, Set<string>>> {
  const linkThrows = new Map<string, string[]>()
  for (const node of nodes.values()) {
    if (node.type !== 'intermediateThrowEvent' || node.eventDefinition?.type !== 'link') continue
    const key = `${node.scopeId}\0${node.eventDefinition.name}`
    linkThrows.set(key, [...(linkThrows.get(key) ?? []), node.id])
  }
  /** The nodes a token at `node` may have come from in one step. */
  const predecessors = (node: FlowNode): string[] => {
    const from = node.incoming
      .map((flowId) => flows.get(flowId)?.sourceRef)
      .filter((id) => id !== undefined)
    if (node.type === 'boundaryEvent' && node.attachedToRef !== undefined) {
      from.push(node.attachedToRef)
    }
    if (node.type === 'intermediateCatchEvent' && node.eventDefinition?.type === 'link') {
      from.push(...(linkThrows.get(`${node.scopeId}\0${node.eventDefinition.name}`) ?? []))
    }
    return from
  }

  const joins = new Map<string, Map<string, Set<string>>>()
  for (const gateway of nodes.values()) {
    if (gateway.type !== 'inclusiveGateway' && gateway.type !== 'complexGateway') continue
    if (gateway.incoming.length < 2) continue
    const reach = new Map<string, Set<string>>()
    for (const flowId of gateway.incoming) {
      const source = flows.get(flowId)?.sourceRef
      const seen = new Set<string>()
      const pending = source === undefined ? [] : [source]
      for (let id = pending.pop(); id !== undefined; id = pending.pop()) {
        if (id === gateway.id || seen.has(id)) continue
        const node = nodes.get(id)
        if (node === undefined || node.scopeId !== gateway.scopeId) continue
        seen.add(id)
        const reached = reach.get(id) ?? new Set<string>()
        reached.add(flowId)
        reach.set(id, reached)
        pending.push(...predecessors(node))
      }
    }
    joins.set(gateway.id, reach)
  }
  return joins
}

/**
 * For each inclusive or complex gateway with more than one incoming flow: the flow nodes of its
 * scope from which a path reaches it without passing through the gateway itself.
 *
 * @example
 * // start -> fork -> (a | b) -> join: sources of join are { start, fork, a, b }
 */
export function computeInclusiveJoinSources(
  nodes: ReadonlyMap<string, FlowNode>,
  flows: ReadonlyMap<string, SequenceFlow>,
): Map<string, Set<string>> {
  const joins = new Map<string, Set<string>>()
  for (const [gateway, reach] of computeInclusiveJoinReach(nodes, flows))
    joins.set(gateway, new Set(reach.keys()))
  return joins
}
