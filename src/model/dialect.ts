/**
 * Which engine a BPMN file was written for, read from its namespace declarations and Camunda
 * Modeler's `executionPlatform`. A file written for an engine is held to the rules that engine
 * enforces; a file in plain BPMN (no engine extensions) is also held to the rules of the BPMN 2.0
 * specification that engines do not check (strict rules), because nothing else tells its author.
 */
import { stringProperty, type ModdleElement } from './moddle-element.ts'

export type BpmnDialect = 'zeebe' | 'camunda7' | 'activiti' | 'jbpm' | 'bpmn'

const namespaces: readonly (readonly [string, BpmnDialect])[] = [
  ['http://camunda.org/schema/zeebe/1.0', 'zeebe'],
  ['http://camunda.org/schema/1.0/bpmn', 'camunda7'],
  ['http://activiti.org/bpmn', 'activiti'],
  ['http://flowable.org/bpmn', 'activiti'],
  ['http://www.jboss.org/drools', 'jbpm'],
]

const platforms: Readonly<Record<string, BpmnDialect>> = {
  'Camunda Cloud': 'zeebe',
  'Camunda Platform': 'camunda7',
}

/**
 * The dialect of a parsed `<definitions>`: the first engine namespace it declares, else the
 * platform Camunda Modeler recorded, else `bpmn`.
 *
 * @example
 * dialectOf(definitions) // 'zeebe' for a Camunda 8 model
 */
export function dialectOf(definitions: ModdleElement): BpmnDialect {
  const attributes = (definitions.$attrs ?? {}) as Readonly<Record<string, unknown>>
  const declared = new Set(Object.values(attributes).filter((v) => typeof v === 'string'))
  for (const [namespace, dialect] of namespaces) if (declared.has(namespace)) return dialect
  // Some tools declare their namespace only on nested elements, but name it in schemaLocation.
  const schemaLocation = Object.entries(attributes).find(([name]) =>
    name.endsWith(':schemaLocation'),
  )?.[1]
  if (typeof schemaLocation === 'string') {
    const locations = new Set(schemaLocation.split(/\s+/))
    for (const [namespace, dialect] of namespaces) if (locations.has(namespace)) return dialect
  }
  const exporter = stringProperty(definitions, 'exporter') ?? ''
  if (/\b(?:jbpm|kogito|drools)\b/i.test(exporter)) return 'jbpm'
  const platform =
    stringProperty(definitions, 'executionPlatform') ??
    Object.entries(attributes).find(([name]) => name.endsWith(':executionPlatform'))?.[1]
  return (typeof platform === 'string' ? platforms[platform] : undefined) ?? 'bpmn'
}

/** Whether the strict rules of the BPMN specification apply (plain BPMN files). */
export function isStrict(dialect: BpmnDialect): boolean {
  return dialect === 'bpmn'
}
