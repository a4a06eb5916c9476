/**
 * Messages a file both throws and catches. Plain BPMN (and Camunda 7) models exchange messages
 * between their own processes with no job worker and no correlation key: a send task or message
 * throw event whose message a catch event, receive task or message start of the same file waits
 * for is delivered by the engine, and such a catch correlates by message name only.
 */
import { elementProperty, elementsProperty, type ModdleElement } from './moddle-element.ts'

export interface MessageExchange {
  /** Messages (bpmn:message elements) some catching element of the file waits for. */
  readonly caught: ReadonlySet<ModdleElement>
  /** Messages some send task or message throw event of the file sends. */
  readonly thrown: ReadonlySet<ModdleElement>
}

const throwingEvents = new Set(['bpmn:IntermediateThrowEvent', 'bpmn:EndEvent'])
const catchingEvents = new Set([
  'bpmn:IntermediateCatchEvent',
  'bpmn:StartEvent',
  'bpmn:BoundaryEvent',
])

/**
 * The messages the given processes throw and catch, by message element.
 *
 * @example
 * messageExchange([sender, receiver]).caught.has(paymentMessage) // true
 */
export function messageExchange(processes: readonly ModdleElement[]): MessageExchange {
  const caught = new Set<ModdleElement>()
  const thrown = new Set<ModdleElement>()
  const visit = (scope: ModdleElement): void => {
    for (const element of elementsProperty(scope, 'flowElements')) {
      if (element.$type === 'bpmn:SendTask' || element.$type === 'bpmn:ReceiveTask') {
        const message = elementProperty(element, 'messageRef')
        if (message !== undefined) {
          ;(element.$type === 'bpmn:SendTask' ? thrown : caught).add(message)
        }
      }
      const throwing = throwingEvents.has(element.$type)
      if (throwing || catchingEvents.has(element.$type)) {
        for (const definition of elementsProperty(element, 'eventDefinitions')) {
          if (definition.$type !== 'bpmn:MessageEventDefinition') continue
          const message = elementProperty(definition, 'messageRef')
          if (message !== undefined) (throwing ? thrown : caught).add(message)
        }
      }
      if (element.$instanceOf('bpmn:FlowElementsContainer')) visit(element)
    }
  }
  for (const process of processes) visit(process)
  return { caught, thrown }
}
