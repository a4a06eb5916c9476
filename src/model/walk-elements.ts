/**
 * Walks a moddle tree through its containment properties (never through references), so a
 * rule can visit every element of a file once.
 */
import { isModdleElement, type ModdleElement } from './moddle-element.ts'

/** One property of a moddle type, as its descriptor describes it. */
export interface PropertyDescriptor {
  readonly name: string
  readonly type: string
  readonly isReference?: boolean
  readonly isMany?: boolean
}

/** The property descriptors of an element (moddle keeps them on `$descriptor`). */
export function propertiesOf(element: ModdleElement): readonly PropertyDescriptor[] {
  const descriptor = element['$descriptor'] as { properties?: unknown } | undefined
  return Array.isArray(descriptor?.properties)
    ? (descriptor.properties as PropertyDescriptor[])
    : []
}

/**
 * Every element under `root` (itself included), depth first, in document order.
 *
 * @example
 * for (const element of everyElement(definitions)) if (element.$type === 'bpmn:DataObject') ...
 */
export function* everyElement(root: ModdleElement): Generator<ModdleElement> {
  yield root
  for (const property of propertiesOf(root)) {
    if (property.isReference === true) continue
    const value = root[property.name]
    const children = Array.isArray(value) ? value : [value]
    for (const child of children) if (isModdleElement(child)) yield* everyElement(child)
  }
}
