/**
 * Rules of the BPMN specification about collaborations and references: message flows connect
 * two pools, leave elements that send and reach elements that receive; a collaboration agrees
 * with its choreography; every reference points to an element of the kind it names. Engines do
 * not execute collaborations, so these apply to plain BPMN files only (see dialect.ts).
 */
import { eventDefinitionTypeOf } from './event-definitions.ts'
import {
  booleanProperty,
  describeElement,
  elementProperty,
  elementsProperty,
  idOf,
  type ModdleElement,
} from './moddle-element.ts'
import type { ProblemCollector } from './problem-collector.ts'
import { everyElement, propertiesOf } from './walk-elements.ts'

/**
 * Checks the collaborations and references of a whole file.
 *
 * @example
 * checkCollaborationRules(definitions, problems) // message-flow-*, reference-type-invalid ...
 */
export function checkCollaborationRules(
  definitions: ModdleElement,
  problems: ProblemCollector,
): void {
  for (const collaboration of elementsProperty(definitions, 'rootElements')) {
    if (!collaboration.$instanceOf('bpmn:Collaboration')) continue
    checkChoreographyClosed(collaboration, problems)
    const participants = elementsProperty(collaboration, 'participants')
    for (const flow of elementsProperty(collaboration, 'messageFlows')) {
      checkMessageFlow(flow, participants, problems)
    }
  }
  checkReferenceTypes(definitions, problems)
}

/** The pool an element of a collaboration belongs to. */
function poolOf(
  element: ModdleElement,
  participants: readonly ModdleElement[],
): ModdleElement | undefined {
  if (element.$type === 'bpmn:Participant') return element
  let process: ModdleElement | undefined = element
  while (process !== undefined && process.$type !== 'bpmn:Process') process = process.$parent
  if (process === undefined) return undefined
  return participants.find((participant) => elementProperty(participant, 'processRef') === process)
}

function checkMessageFlow(
  flow: ModdleElement,
  participants: readonly ModdleElement[],
  problems: ProblemCollector,
): void {
  const source = elementProperty(flow, 'sourceRef')
  const target = elementProperty(flow, 'targetRef')
  if (source === undefined || target === undefined) return
  const id = idOf(flow)
  const sourcePool = poolOf(source, participants)
  if (sourcePool !== undefined && sourcePool === poolOf(target, participants)) {
    problems.error(
      'message-flow-same-pool',
      `Message flow '${id ?? '?'}' connects ${describeElement(source)} and ${describeElement(target)}, which are both in pool ${describeElement(sourcePool)}; a message flow connects two separate pools. Use a sequence flow inside a pool, or connect another pool.`,
      id,
    )
  }
  if (source.$instanceOf('bpmn:CatchEvent')) {
    problems.error(
      'message-flow-source-invalid',
      `Message flow '${id ?? '?'}' leaves ${describeElement(source)}, a catch event, which cannot send a message. Start the message flow at a pool, a task, or a message throw or end event.`,
      id,
    )
  }
  const catchesMessages =
    !target.$instanceOf('bpmn:Event') ||
    (target.$instanceOf('bpmn:CatchEvent') &&
      elementsProperty(target, 'eventDefinitions').some(
        (definition) => definition.$type === 'bpmn:MessageEventDefinition',
      ))
  if (!catchesMessages) {
    problems.error(
      'message-flow-target-invalid',
      `Message flow '${id ?? '?'}' reaches ${describeElement(target)}, which ${target.$instanceOf('bpmn:ThrowEvent') ? 'is a throw event' : `is a ${eventDefinitionTypeOf(target) ?? 'none'} catch event`} and cannot receive a message. End the message flow at a pool, a task, or a message catch or start event.`,
      id,
    )
  }
}

/** EXT.033: a collaboration and the choreography it references agree on isClosed. */
function checkChoreographyClosed(collaboration: ModdleElement, problems: ProblemCollector): void {
  const closed = booleanProperty(collaboration, 'isClosed') ?? false
  for (const choreography of elementsProperty(collaboration, 'choreographyRef')) {
    const its = booleanProperty(choreography, 'isClosed') ?? false
    if (its === closed) continue
    problems.error(
      'choreography-closed-mismatch',
      `${describeElement(collaboration)} has isClosed="${closed}" but the choreography '${idOf(choreography) ?? '?'}' it references has isClosed="${its}"; they must be equal. Set the same isClosed on both.`,
      idOf(collaboration),
    )
  }
}

/** Every resolved reference points to an element of the type its property names. */
function checkReferenceTypes(definitions: ModdleElement, problems: ProblemCollector): void {
  for (const element of everyElement(definitions)) {
    // The metamodel types an ioBinding's data refs as input/output sets, the specification's
    // text and the tools point them at data inputs/outputs: both are read (data-rules.ts).
    if (!element.$type.startsWith('bpmn:') || element.$type === 'bpmn:InputOutputBinding') continue
    for (const property of propertiesOf(element)) {
      // `Element` (a relationship's ends) may be any element, the definitions included.
      if (property.isReference !== true || property.type === 'Element') continue
      const value = element[property.name]
      const targets = (Array.isArray(value) ? value : [value]).filter(
        (target): target is ModdleElement =>
          typeof target === 'object' && target !== null && '$instanceOf' in target,
      )
      const type = property.type.includes(':') ? property.type : `bpmn:${property.type}`
      for (const target of targets) {
        if (target.$instanceOf(type)) continue
        const where = idOf(element) === undefined ? owner(element) : element
        problems.error(
          'reference-type-invalid',
          `${property.name} of ${describeElement(element)} refers to ${describeElement(target)}, but it must refer to a ${type.replace(/^bpmn:/, '')}. Point it at an element of that kind.`,
          idOf(where),
        )
      }
    }
  }
}

function owner(element: ModdleElement): ModdleElement {
  let current: ModdleElement | undefined = element
  while (current !== undefined && idOf(current) === undefined) current = current.$parent
  return current ?? element
}
