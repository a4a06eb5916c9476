import { feelTypeOf, feelUnaryTest, type FeelType } from './feel/feel.ts'
import type { CompiledDmn, DmnModel, ItemDefinition } from './model.ts'

export interface Conformed {
  readonly value: unknown
  readonly error: string | undefined
}

const builtins: Readonly<Record<string, FeelType | 'Any'>> = {
  number: 'number',
  string: 'string',
  boolean: 'boolean',
  date: 'date',
  time: 'time',
  dateTime: 'date and time',
  'date and time': 'date and time',
  dayTimeDuration: 'days and time duration',
  'days and time duration': 'days and time duration',
  yearMonthDuration: 'years and months duration',
  'years and months duration': 'years and months duration',
  context: 'context',
  list: 'list',
  function: 'function',
  range: 'range',
  Any: 'Any',
}

const ok = (value: unknown): Conformed => ({ value, error: undefined })

/**
 * Checks a value against a type reference (a FEEL built-in type or an item definition) the way
 * DMN types a decision's result: a value that does not conform becomes null with an error; a
 * single value given for a collection type becomes a one-item list, and a one-item list given
 * for a non-collection type becomes its item.
 */
export function conform(
  value: unknown,
  typeRef: string,
  compiled: CompiledDmn,
  namespace: string,
): Conformed {
  return conformTo(
    value,
    typeRef.trim(),
    compiled,
    compiled.models.get(namespace) ?? compiled.main,
    0,
  )
}

function resolve(
  typeRef: string,
  compiled: CompiledDmn,
  model: DmnModel,
): { def: ItemDefinition; model: DmnModel } | undefined {
  const local = model.itemDefinitions.get(typeRef)
  if (local !== undefined) return { def: local, model }
  const dot = typeRef.indexOf('.')
  if (dot > 0) {
    const imported = model.imports.find((i) => i.name === typeRef.slice(0, dot))
    const other = imported === undefined ? undefined : compiled.models.get(imported.namespace)
    const def = other?.itemDefinitions.get(typeRef.slice(dot + 1))
    if (other !== undefined && def !== undefined) return { def, model: other }
  }
  return undefined
}

function conformTo(
  value: unknown,
  typeRef: string,
  compiled: CompiledDmn,
  model: DmnModel,
  depth: number,
): Conformed {
  if (value === null || depth > 20) return ok(value)
  const name = typeRef.startsWith('feel:') ? typeRef.slice(5) : typeRef
  const builtin = builtins[name]
  if (builtin !== undefined) {
    if (builtin === 'Any') return ok(value)
    const actual = feelTypeOf(value)
    if (actual === builtin) return ok(value)
    if (actual === 'list' && Array.isArray(value) && value.length === 1) {
      return conformTo(value[0], typeRef, compiled, model, depth + 1)
    }
    return { value: null, error: `${describeValue(value)} is not a ${builtin}` }
  }
  const resolved = resolve(name, compiled, model)
  if (resolved === undefined) return ok(value)
  return conformToItem(value, resolved.def, compiled, resolved.model, depth)
}

function conformToItem(
  value: unknown,
  def: ItemDefinition,
  compiled: CompiledDmn,
  model: DmnModel,
  depth: number,
): Conformed {
  if (value === null) return ok(value)
  if (def.isCollection) {
    const list = Array.isArray(value) ? value : [value]
    const items: unknown[] = []
    for (const item of list) {
      const one = conformToItem(item, { ...def, isCollection: false }, compiled, model, depth + 1)
      if (one.error !== undefined) return { value: null, error: `type '${def.name}': ${one.error}` }
      items.push(one.value)
    }
    return ok(items)
  }
  let current: unknown = value
  if (def.components.length > 0) {
    if (feelTypeOf(value) !== 'context') {
      return { value: null, error: `${describeValue(value)} is not a '${def.name}' (a context)` }
    }
    const entries = value as Record<string, unknown>
    const out: Record<string, unknown> = { ...entries }
    for (const component of def.components) {
      if (!Object.hasOwn(entries, component.name)) continue
      const one = conformToItem(
        entries[component.name] ?? null,
        component,
        compiled,
        model,
        depth + 1,
      )
      if (one.error !== undefined)
        return { value: null, error: `'${def.name}.${component.name}': ${one.error}` }
      out[component.name] = one.value
    }
    current = out
  } else if (def.typeRef !== undefined) {
    const base = conformTo(value, def.typeRef, compiled, model, depth + 1)
    if (base.error !== undefined) return { value: null, error: `type '${def.name}': ${base.error}` }
    current = base.value
  }
  if (def.allowedValues !== undefined && current !== null) {
    const test = feelUnaryTest(def.allowedValues, current, {})
    if (test.value !== true) {
      return {
        value: null,
        error: `${describeValue(current)} is not an allowed value of '${def.name}' (${def.allowedValues})`,
      }
    }
  }
  return ok(current)
}

function describeValue(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value)
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}
