import type { InstanceState, JsonValue, Key, Variables } from '../types.ts'

/** The scope keys from `scopeKey` up to the instance (root) scope, innermost first. */
export function scopeChain(state: InstanceState, scopeKey: Key): Key[] {
  const chain: Key[] = []
  let key: Key | undefined = scopeKey
  while (key !== undefined) {
    chain.push(key)
    if (key === state.key) break
    key = state.elements[key]?.flowScopeKey
  }
  return chain
}

/** Every variable visible from `scopeKey`, inner scopes shadowing outer ones. */
export function visibleVariables(state: InstanceState, scopeKey: Key): Variables {
  const chain = scopeChain(state, scopeKey)
  if (chain.length === 1) return state.variables[chain[0] as Key] ?? {}
  const merged: Variables = {}
  for (let i = chain.length - 1; i >= 0; i--)
    Object.assign(merged, state.variables[chain[i] as Key])
  return merged
}

/**
 * The scope a propagated variable lands in (Camunda semantics): the nearest scope, from
 * `scopeKey` outwards, that already has it; the instance scope when none does.
 */
export function propagationScope(state: InstanceState, scopeKey: Key, name: string): Key {
  for (const key of scopeChain(state, scopeKey)) {
    const scope = state.variables[key]
    if (scope !== undefined && Object.hasOwn(scope, name)) return key
  }
  return state.key
}

const pathPattern = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/

/**
 * Splits a mapping target (`a` or `a.b.c`) into the variable name and the nested path. Returns
 * undefined for a target that is not a valid name or path.
 */
export function parseTarget(target: string): { name: string; path: string[] } | undefined {
  if (!pathPattern.test(target)) return undefined
  const [name, ...path] = target.split('.')
  return { name: name as string, path }
}

/** `base` with `value` set at `path` (contexts created or copied as needed, `base` untouched). */
export function setAtPath(
  base: JsonValue | undefined,
  path: readonly string[],
  value: JsonValue,
): JsonValue {
  if (path.length === 0) return value
  const [head, ...rest] = path as [string, ...string[]]
  const copy: Record<string, JsonValue> =
    base !== null && typeof base === 'object' && !Array.isArray(base) ? { ...base } : {}
  copy[head] = setAtPath(copy[head], rest, value)
  return copy
}

/** Converts a FEEL result to a JSON value (undefined and functions become null). */
export function toJson(value: unknown): JsonValue {
  if (value === undefined) return null
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value
  if (typeof value === 'number') return Number.isFinite(value) ? value : null
  if (Array.isArray(value)) return value.map(toJson)
  if (typeof value === 'object') {
    if (value instanceof Date) return value.toISOString()
    const proto = Object.getPrototypeOf(value)
    if (proto !== Object.prototype && proto !== null) {
      // Temporal values (dates, durations) print as ISO text; other class instances have no JSON form.
      const text = (value as { toString(): string }).toString()
      return text === '[object Object]' ? null : text
    }
    const out: Record<string, JsonValue> = {}
    for (const [k, v] of Object.entries(value)) out[k] = toJson(v)
    return out
  }
  return null
}
