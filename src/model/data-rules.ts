/**
 * Rules of the BPMN specification about data: item definitions and the data objects, inputs and
 * outputs typed by them, input/output specifications of call activities and events, service
 * interfaces bound to a process, multi-instance data items and data association transformations.
 * Baton (like Camunda) runs variables, not BPMN's data model, so these rules apply to plain BPMN
 * files only (see dialect.ts): there a contradictory data model is the only sign of a broken file.
 */
import {
  booleanProperty,
  describeElement,
  elementProperty,
  elementsProperty,
  idOf,
  stringProperty,
  typeName,
  type ModdleElement,
} from './moddle-element.ts'
import type { ProblemCollector } from './problem-collector.ts'
import { everyElement } from './walk-elements.ts'

/**
 * Checks the data model of a whole file.
 *
 * @example
 * checkDataRules(definitions, problems) // reports item-collection-mismatch, ...
 */
export function checkDataRules(definitions: ModdleElement, problems: ProblemCollector): void {
  const byId = new Map<string, ModdleElement>()
  for (const element of everyElement(definitions)) {
    const id = idOf(element)
    if (id !== undefined && !byId.has(id)) byId.set(id, element)
  }
  for (const element of everyElement(definitions)) {
    switch (element.$type) {
      case 'bpmn:DataObject':
      case 'bpmn:DataInput':
      case 'bpmn:DataOutput':
        checkCollection(element, problems)
        break
      case 'bpmn:DataInputAssociation':
      case 'bpmn:DataOutputAssociation':
        checkTransformation(element, problems)
        break
      case 'bpmn:CallActivity':
        checkCalledData(element, byId, problems)
        break
      case 'bpmn:MultiInstanceLoopCharacteristics':
        checkLoopDataItems(element, problems)
        break
      default:
        break
    }
    if (elementsProperty(element, 'supportedInterfaceRef').length > 0) {
      checkInterfaceBinding(element, problems)
    }
    if (element.$instanceOf('bpmn:Event')) checkEventData(element, problems)
  }
}

/** The element a problem is reported on: the nearest one with an id. */
function owner(element: ModdleElement): ModdleElement {
  let current: ModdleElement | undefined = element
  while (current !== undefined && idOf(current) === undefined) current = current.$parent
  return current ?? element
}

/** EXT.020 and its kin: isCollection agrees with the item definition. */
function checkCollection(element: ModdleElement, problems: ProblemCollector): void {
  const item = elementProperty(element, 'itemSubjectRef')
  if (item === undefined || item.$type !== 'bpmn:ItemDefinition') return
  const mine = booleanProperty(element, 'isCollection') ?? false
  const its = booleanProperty(item, 'isCollection') ?? false
  if (mine === its) return
  problems.error(
    'item-collection-mismatch',
    `${describeElement(element)} has isCollection="${mine}" but its item definition '${idOf(item) ?? '?'}' has isCollection="${its}"; they must agree. Fix isCollection on one of them.`,
    idOf(owner(element)),
  )
}

/** EXT.013: a formal expression (here a transformation) has a body. */
function checkTransformation(association: ModdleElement, problems: ProblemCollector): void {
  const transformation = elementProperty(association, 'transformation')
  if (transformation === undefined) return
  if ((stringProperty(transformation, 'body') ?? '').trim() !== '') return
  problems.error(
    'expression-empty',
    `The transformation of ${describeElement(association)} is empty; a formal expression needs a body. Write the transformation or remove the <transformation> element.`,
    idOf(owner(association)),
  )
}

/** The structure an item-aware element carries, for comparing two of them. */
function structureOf(item: ModdleElement | undefined): string | undefined {
  if (item === undefined) return undefined
  return stringProperty(item, 'structureRef') ?? idOf(item)
}

function itemStructure(element: ModdleElement | undefined): string | undefined {
  return element === undefined ? undefined : structureOf(elementProperty(element, 'itemSubjectRef'))
}

/** EXT.063: a call activity's data inputs and outputs are exactly those of what it calls. */
function checkCalledData(
  activity: ModdleElement,
  byId: ReadonlyMap<string, ModdleElement>,
  problems: ProblemCollector,
): void {
  const calledId = stringProperty(activity, 'calledElement')
  const called = calledId === undefined ? undefined : byId.get(calledId)
  if (called === undefined || !called.$instanceOf('bpmn:CallableElement')) return
  const mine = elementProperty(activity, 'ioSpecification')
  const theirs = elementProperty(called, 'ioSpecification')
  // Only two specifications can disagree: a call activity or callable element without one
  // declares no data (tools such as MIWG's references leave one side out).
  if (mine === undefined || theirs === undefined) return
  const differences: string[] = []
  const parts = [
    ['dataInputs', 'data inputs'],
    ['dataOutputs', 'data outputs'],
    ['inputSets', 'input sets'],
    ['outputSets', 'output sets'],
  ] as const
  for (const [property, words] of parts) {
    const a = mine === undefined ? [] : elementsProperty(mine, property)
    const b = theirs === undefined ? [] : elementsProperty(theirs, property)
    if (a.length !== b.length) {
      differences.push(`${a.length} ${words} where ${describeElement(called)} has ${b.length}`)
      continue
    }
    if (property !== 'dataInputs' && property !== 'dataOutputs') continue
    a.forEach((input, i) => {
      const x = itemStructure(input)
      const y = itemStructure(b[i])
      if (x !== undefined && y !== undefined && x !== y) {
        differences.push(
          `${typeName(input)} '${idOf(input) ?? i}' carries '${x}' where '${idOf(b[i] ?? input) ?? i}' of ${describeElement(called)} carries '${y}'`,
        )
      }
    })
  }
  for (const [property, refs, words] of [
    ['inputSets', 'dataInputRefs', 'inputs in its input sets'],
    ['outputSets', 'dataOutputRefs', 'outputs in its output sets'],
  ] as const) {
    const count = (io: ModdleElement | undefined): number =>
      io === undefined
        ? 0
        : elementsProperty(io, property).reduce(
            (sum, set) => sum + elementsProperty(set, refs).length,
            0,
          )
    if (count(mine) !== count(theirs)) {
      differences.push(`${count(mine)} ${words} where the called element has ${count(theirs)}`)
    }
  }
  if (differences.length === 0) return
  problems.error(
    'call-activity-data-mismatch',
    `${describeElement(activity)} calls ${describeElement(called)}, but its input/output specification does not match the called element's: ${differences.join('; ')}. A call activity passes exactly the data inputs and outputs of what it calls; make the two specifications equal.`,
    idOf(activity),
  )
}

/** EXT.064 and EXT.065: a process exposed as a service binds its data to the operations. */
function checkInterfaceBinding(callable: ModdleElement, problems: ProblemCollector): void {
  const bindings = elementsProperty(callable, 'ioBinding')
  if (bindings.length === 0) {
    problems.error(
      'interface-binding-required',
      `${describeElement(callable)} supports interface${elementsProperty(callable, 'supportedInterfaceRef').length === 1 ? '' : 's'} ${elementsProperty(
        callable,
        'supportedInterfaceRef',
      )
        .map((i) => `'${idOf(i) ?? '?'}'`)
        .join(
          ', ',
        )} but has no <ioBinding>; a callable element exposed as a service binds its data inputs and outputs to the operations. Add an ioBinding per operation, or remove supportedInterfaceRef.`,
      idOf(callable),
    )
    return
  }
  for (const binding of bindings) {
    const operation = elementProperty(binding, 'operationRef')
    if (operation === undefined) continue
    for (const [dataProperty, messageProperty, words] of [
      ['inputDataRef', 'inMessageRef', 'input'],
      ['outputDataRef', 'outMessageRef', 'output'],
    ] as const) {
      const bound = elementProperty(binding, dataProperty)
      // A data input/output, or (as the metamodel types it) a set of them: its first one.
      const data = itemStructure(
        bound === undefined ||
          !bound.$instanceOf(words === 'input' ? 'bpmn:InputSet' : 'bpmn:OutputSet')
          ? bound
          : elementsProperty(bound, words === 'input' ? 'dataInputRefs' : 'dataOutputRefs')[0],
      )
      const message = structureOf(
        elementProperty(elementProperty(operation, messageProperty) ?? binding, 'itemRef'),
      )
      if (data === undefined || message === undefined || data === message) continue
      problems.error(
        'interface-binding-mismatch',
        `The ioBinding of ${describeElement(callable)} binds data ${words} '${idOf(bound ?? binding) ?? '?'}' (carrying '${data}') to operation '${idOf(operation) ?? '?'}', whose ${words} message carries '${message}'. Bind a data ${words} of the same item definition.`,
        idOf(callable),
      )
    }
  }
}

/** EXT.069 and EXT.070: a multi-instance data item is the scalar of its loop data collection. */
function checkLoopDataItems(loop: ModdleElement, problems: ProblemCollector): void {
  for (const [collectionProperty, itemProperty, words] of [
    ['loopDataInputRef', 'inputDataItem', 'input'],
    ['loopDataOutputRef', 'outputDataItem', 'output'],
  ] as const) {
    const collection = elementProperty(loop, collectionProperty)
    const item = elementProperty(loop, itemProperty)
    const a = itemStructure(collection)
    const b = itemStructure(item)
    if (a === undefined || b === undefined || a === b) continue
    problems.error(
      'multi-instance-data-item-mismatch',
      `The multi-instance ${words} data item of ${describeElement(owner(loop))} carries '${b}', but its loop data ${words} '${idOf(collection ?? loop) ?? '?'}' is a collection of '${a}'. Type the data item with the collection's item structure.`,
      idOf(owner(loop)),
    )
  }
}

const dataCarryingDefinitions: Readonly<Record<string, readonly [string, string]>> = {
  'bpmn:MessageEventDefinition': ['messageRef', 'itemRef'],
  'bpmn:ErrorEventDefinition': ['errorRef', 'structureRef'],
  'bpmn:EscalationEventDefinition': ['escalationRef', 'structureRef'],
  'bpmn:SignalEventDefinition': ['signalRef', 'structureRef'],
}

/**
 * EXT.093 and EXT.094: an event with data inputs (throw) or outputs (catch) has one per event
 * definition, each carrying the item of its definition's message, error, escalation or signal.
 */
function checkEventData(event: ModdleElement, problems: ProblemCollector): void {
  const throwing = event.$instanceOf('bpmn:ThrowEvent')
  const data = elementsProperty(event, throwing ? 'dataInputs' : 'dataOutputs')
  if (data.length === 0) return
  const definitions = [
    ...elementsProperty(event, 'eventDefinitions'),
    ...elementsProperty(event, 'eventDefinitionRef'),
  ]
  const words = throwing ? 'data inputs' : 'data outputs'
  if (data.length !== definitions.length) {
    problems.error(
      'event-data-mismatch',
      `${describeElement(event)} has ${data.length} ${words} and ${definitions.length} event definition${definitions.length === 1 ? '' : 's'}; an event with ${words} has exactly one per event definition. Add or remove ${words}.`,
      idOf(event),
    )
    return
  }
  definitions.forEach((definition, i) => {
    const carried = dataCarryingDefinitions[definition.$type]
    if (carried === undefined) return
    const [reference, itemProperty] = carried
    const target = elementProperty(definition, reference)
    const expected = structureOf(
      target === undefined ? undefined : elementProperty(target, itemProperty),
    )
    const actual = itemStructure(data[i])
    if (expected === undefined || actual === undefined || expected === actual) return
    problems.error(
      'event-data-mismatch',
      `${typeName(data[i] ?? event)} '${idOf(data[i] ?? event) ?? i}' of ${describeElement(event)} carries '${actual}', but its ${typeName(definition)} refers to '${idOf(target ?? definition) ?? '?'}', which carries '${expected}'. Type the ${throwing ? 'data input' : 'data output'} with the same item definition.`,
      idOf(event),
    )
  })
}
