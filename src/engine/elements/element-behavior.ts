import type { FlowNode } from '../../model/types.ts'
import type { Step } from '../step.ts'
import type { ElementInstanceState } from '../types.ts'

/**
 * How one BPMN element type behaves (the Zeebe processor pattern). Shared steps (mappings,
 * choosing flows, incidents, scope completion) live in Step; a behaviour only says what is
 * particular to its type.
 */
export interface ElementBehavior {
  /**
   * How outgoing flows are chosen on completion: `all` (parallel gateway: conditions ignored),
   * `first-true` (exclusive gateway: the first true condition in document order, else the
   * default), `all-true` (activities, events and inclusive gateways: unconditional flows plus every
   * true condition, else the default).
   */
  readonly outgoing: 'all' | 'first-true' | 'all-true'
  /** Runs once the element instance is active (input mappings applied). */
  onActivated(step: Step, element: ElementInstanceState, node: FlowNode): void
  /** Runs when the element instance is terminated from outside (cancel, terminate end, ...). */
  onTerminate?(step: Step, element: ElementInstanceState, node: FlowNode): void
}
