/**
 * The structural view of a moddle element the compiler reads. moddle elements carry their
 * properties as plain fields; these helpers read them with the type checks TypeScript needs.
 */
export interface ModdleElement {
  readonly $type: string
  readonly $parent?: ModdleElement
  readonly id?: unknown
  readonly name?: unknown
  $instanceOf(type: string): boolean
  readonly [property: string]: unknown
}

export function isModdleElement(value: unknown): value is ModdleElement {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { $type?: unknown }).$type === 'string' &&
    typeof (value as { $instanceOf?: unknown }).$instanceOf === 'function'
  )
}

/** A string property, or undefined when absent or not a string. */
export function stringProperty(element: ModdleElement, property: string): string | undefined {
  const value = element[property]
  return typeof value === 'string' ? value : undefined
}

export function booleanProperty(element: ModdleElement, property: string): boolean | undefined {
  const value = element[property]
  return typeof value === 'boolean' ? value : undefined
}

/** A single-valued element property (e.g. `conditionExpression`, a resolved `sourceRef`). */
export function elementProperty(
  element: ModdleElement,
  property: string,
): ModdleElement | undefined {
  const value = element[property]
  return isModdleElement(value) ? value : undefined
}

/** A many-valued element property (e.g. `flowElements`, `eventDefinitions`). */
export function elementsProperty(element: ModdleElement, property: string): ModdleElement[] {
  const value = element[property]
  return Array.isArray(value) ? value.filter(isModdleElement) : []
}

/** The element's id when it has a non-empty one. */
export function idOf(element: ModdleElement): string | undefined {
  return typeof element.id === 'string' && element.id !== '' ? element.id : undefined
}

/** `bpmn:ServiceTask` -> `serviceTask`, `zeebe:TaskDefinition` -> `zeebe:taskDefinition`. */
export function typeName(element: ModdleElement): string {
  const [prefix, local] = element.$type.includes(':')
    ? (element.$type.split(':', 2) as [string, string])
    : ['bpmn', element.$type]
  const camel = local.charAt(0).toLowerCase() + local.slice(1)
  return prefix === 'bpmn' ? camel : `${prefix}:${camel}`
}

/** How messages name an element: `serviceTask "Charge card" (chargeCard)`. */
export function describeElement(element: ModdleElement): string {
  const id = idOf(element)
  const name = stringProperty(element, 'name')
  const label = name !== undefined && name.trim() !== '' ? ` "${name.trim()}"` : ''
  return `${typeName(element)}${label}${id === undefined ? ' (without id)' : ` '${id}'`}`
}

/** The first extension element of a type, e.g. `zeebe:TaskDefinition`. */
export function extensionElement(element: ModdleElement, type: string): ModdleElement | undefined {
  return extensionElements(element, type)[0]
}

export function extensionElements(element: ModdleElement, type: string): ModdleElement[] {
  const container = elementProperty(element, 'extensionElements')
  if (container === undefined) return []
  return elementsProperty(container, 'values').filter((value) => value.$type === type)
}
