/**
 * Activity loop markers: `bpmn:multiInstanceLoopCharacteristics` (+ `zeebe:loopCharacteristics`)
 * -> `MultiInstanceDefinition`, `bpmn:standardLoopCharacteristics` -> `StandardLoopDefinition`.
 */
import type { CompiledExpression } from '../feel/types.ts'
import type { CompileContext } from './compile-context.ts'
import { checkFormalExpression, compileExpressionBody, expressionText } from './expression-body.ts'
import {
  booleanProperty,
  describeElement,
  elementProperty,
  elementsProperty,
  extensionElement,
  idOf,
  stringProperty,
  type ModdleElement,
} from './moddle-element.ts'
import type { MultiInstanceDefinition, StandardLoopDefinition } from './types.ts'

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

const variableName = /^[\p{L}_$][\p{L}\p{N}_$]*$/u
const behaviors = new Set(['None', 'One', 'All', 'Complex'])
const literalNumber = /^[+-]?\d+(?:\.\d+)?$/

export type LoopDefinition =
  | { readonly multiInstance: MultiInstanceDefinition }
  | { readonly standardLoop: StandardLoopDefinition }
  | Record<string, never>

/** The activity's loop marker; an empty object when it has none or it is invalid (reported). */
export function readLoopCharacteristics(
  activity: ModdleElement,
  ctx: CompileContext,
): LoopDefinition {
  const loop = elementProperty(activity, 'loopCharacteristics')
  if (loop === undefined) return {}
  if (loop.$type === 'bpmn:MultiInstanceLoopCharacteristics') {
    const multiInstance = readMultiInstance(activity, loop, ctx)
    return multiInstance === undefined ? {} : { multiInstance }
  }
  if (loop.$type === 'bpmn:StandardLoopCharacteristics') {
    const standardLoop = readStandardLoop(activity, loop, ctx)
    return standardLoop === undefined ? {} : { standardLoop }
  }
  return {}
}

function expression(
  activity: ModdleElement,
  what: string,
  raw: string | undefined,
  ctx: CompileContext,
): { ok: true; expression?: CompiledExpression } | { ok: false } {
  if (raw === undefined || raw.trim() === '') return { ok: true }
  const compiled = compileExpressionBody(activity, what, raw.trim(), ctx.problems, {
    boolean: what.endsWith('condition'),
  })
  return compiled === undefined ? { ok: false } : { ok: true, expression: compiled }
}

function readMultiInstance(
  activity: ModdleElement,
  loop: ModdleElement,
  ctx: CompileContext,
): MultiInstanceDefinition | undefined {
  const id = idOf(activity)
  const zeebe = extensionElement(loop, 'zeebe:LoopCharacteristics')
  const attribute = (name: string): string | undefined => {
    const value = zeebe === undefined ? undefined : stringProperty(zeebe, name)?.trim()
    return value === '' ? undefined : value
  }
  if (elementsProperty(loop, 'complexBehaviorDefinition').length > 0) {
    ctx.problems.error(
      'element-unsupported',
      `The multi-instance ${describeElement(activity)} has a complexBehaviorDefinition (events thrown while instances complete), which Baton does not support. Remove it; use a completion condition to end the instances early.`,
      id,
    )
    return undefined
  }
  let failed = false
  const definition: Mutable<MultiInstanceDefinition> = {
    isSequential: booleanProperty(loop, 'isSequential') ?? false,
  }

  const inputCollection = expression(
    activity,
    'multi-instance inputCollection',
    attribute('inputCollection'),
    ctx,
  )
  const outputElement = expression(
    activity,
    'multi-instance outputElement',
    attribute('outputElement'),
    ctx,
  )
  const cardinalityText = expressionText(elementProperty(loop, 'loopCardinality'))
  const cardinality = expression(activity, 'loop cardinality', cardinalityText, ctx)
  const completion = expression(
    activity,
    'completion condition',
    expressionText(elementProperty(loop, 'completionCondition')),
    ctx,
  )
  if (!inputCollection.ok || !outputElement.ok || !cardinality.ok || !completion.ok) failed = true
  const completionElement = elementProperty(loop, 'completionCondition')
  if (!checkFormalExpression(activity, 'completion condition', completionElement, ctx.problems)) {
    failed = true
  }
  if (inputCollection.ok && inputCollection.expression !== undefined)
    definition.inputCollection = inputCollection.expression
  if (outputElement.ok && outputElement.expression !== undefined)
    definition.outputElement = outputElement.expression
  if (cardinality.ok && cardinality.expression !== undefined)
    definition.loopCardinality = cardinality.expression
  if (completion.ok && completion.expression !== undefined)
    definition.completionCondition = completion.expression

  for (const name of ['inputElement', 'outputCollection'] as const) {
    const value = attribute(name)
    if (value === undefined) continue
    if (!variableName.test(value)) {
      failed = true
      ctx.problems.error(
        'multi-instance-variable-invalid',
        `zeebe:loopCharacteristics ${name} of ${describeElement(activity)} is '${value}', which is not a variable name. Use a plain name such as 'item'.`,
        id,
      )
      continue
    }
    definition[name] = value
  }

  if (
    inputCollection.ok &&
    inputCollection.expression === undefined &&
    (cardinalityText === undefined || cardinalityText === '')
  ) {
    failed = true
    ctx.problems.error(
      'multi-instance-input-required',
      `The multi-instance ${describeElement(activity)} has neither an inputCollection nor a loop cardinality, so Baton cannot tell how many instances to create. Add <zeebe:loopCharacteristics inputCollection="=items" inputElement="item"/> or a loopCardinality.`,
      id,
    )
  }
  const literal = cardinalityText?.replace(/^=/, '').trim()
  if (literal !== undefined && literalNumber.test(literal)) {
    const count = Number(literal)
    if (!Number.isInteger(count) || count < 0) {
      failed = true
      ctx.problems.error(
        'multi-instance-cardinality-invalid',
        `The loop cardinality of ${describeElement(activity)} is ${literal}; it must be a whole number of instances, 0 or more. Fix the cardinality.`,
        id,
      )
    }
  }
  if (attribute('outputElement') !== undefined && attribute('outputCollection') === undefined) {
    failed = true
    ctx.problems.error(
      'multi-instance-output-incomplete',
      `zeebe:loopCharacteristics of ${describeElement(activity)} sets outputElement without outputCollection, so the results would be collected nowhere. Set outputCollection to the variable that receives the list.`,
      id,
    )
  }
  // Only an explicit `behavior` attribute: moddle reports BPMN's default (All) otherwise.
  if (Object.hasOwn(loop, 'behavior')) {
    const behavior = stringProperty(loop, 'behavior')
    if (behavior !== undefined && behaviors.has(behavior)) {
      definition.behavior = behavior as MultiInstanceDefinition['behavior'] & string
    }
  }
  const refProperty =
    definition.behavior === 'None'
      ? 'noneBehaviorEventRef'
      : definition.behavior === 'One'
        ? 'oneBehaviorEventRef'
        : undefined
  const eventRef = refProperty === undefined ? undefined : elementProperty(loop, refProperty)
  if (eventRef !== undefined) {
    const event = behaviorEvent(eventRef)
    if (event === undefined) {
      failed = true
      ctx.problems.error(
        'multi-instance-behavior-event-invalid',
        `The ${refProperty ?? ''} of ${describeElement(activity)} refers to ${describeElement(eventRef)}; Baton throws a signal, message or escalation with a name (or code) there. Refer to such an event definition.`,
        id,
      )
    } else {
      definition.behaviorEvent = event
    }
  }
  return failed ? undefined : definition
}

/** The signal, message or escalation (with its literal name or code) an event definition names. */
function behaviorEvent(
  definition: ModdleElement,
): MultiInstanceDefinition['behaviorEvent'] | undefined {
  const refs = {
    'bpmn:SignalEventDefinition': ['signal', 'signalRef', 'name'],
    'bpmn:MessageEventDefinition': ['message', 'messageRef', 'name'],
    'bpmn:EscalationEventDefinition': ['escalation', 'escalationRef', 'escalationCode'],
  } as const
  const ref = refs[definition.$type as keyof typeof refs] as
    (typeof refs)[keyof typeof refs] | undefined
  if (ref === undefined) return undefined
  const [type, property, nameProperty] = ref
  const target = elementProperty(definition, property)
  const name = target === undefined ? undefined : stringProperty(target, nameProperty)?.trim()
  if (name === undefined || name === '' || name.startsWith('=')) return undefined
  return { type, name }
}

function readStandardLoop(
  activity: ModdleElement,
  loop: ModdleElement,
  ctx: CompileContext,
): StandardLoopDefinition | undefined {
  const condition = expression(
    activity,
    'loop condition',
    expressionText(elementProperty(loop, 'loopCondition')),
    ctx,
  )
  const maximum = loop.loopMaximum
  let failed = !condition.ok
  if (
    maximum !== undefined &&
    (typeof maximum !== 'number' || !Number.isInteger(maximum) || maximum < 0)
  ) {
    failed = true
    ctx.problems.error(
      'loop-maximum-invalid',
      `The loopMaximum of ${describeElement(activity)} is ${typeof maximum === 'number' || typeof maximum === 'string' ? maximum : 'not a number'}; it must be a whole number, 0 or more. Fix it or remove it.`,
      idOf(activity),
    )
  }
  if (failed) return undefined
  return {
    testBefore: booleanProperty(loop, 'testBefore') ?? false,
    ...(condition.ok && condition.expression !== undefined
      ? { loopCondition: condition.expression }
      : {}),
    ...(typeof maximum === 'number' ? { loopMaximum: maximum } : {}),
  }
}
