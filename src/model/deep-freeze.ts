/**
 * Freezing for the executable model: objects and arrays are frozen recursively, and maps and
 * sets are replaced by read-only subclasses whose mutators throw, so an accidental write in the
 * engine fails loudly instead of corrupting a model shared by every instance.
 */

function readOnlyError(kind: string): TypeError {
  return new TypeError(`Cannot modify a compiled model: this ${kind} is read-only.`)
}

/** A Map whose set/delete/clear throw. */
export class FrozenMap<K, V> extends Map<K, V> {
  constructor(entries: Iterable<readonly [K, V]>) {
    super()
    for (const [key, value] of entries) Map.prototype.set.call(this, key, value)
    Object.freeze(this)
  }
  override set(_key: K, _value: V): this {
    throw readOnlyError('map')
  }
  override delete(_key: K): boolean {
    throw readOnlyError('map')
  }
  override clear(): void {
    throw readOnlyError('map')
  }
}

/** A Set whose add/delete/clear throw. */
export class FrozenSet<T> extends Set<T> {
  constructor(values: Iterable<T>) {
    super()
    for (const value of values) Set.prototype.add.call(this, value)
    Object.freeze(this)
  }
  override add(_value: T): this {
    throw readOnlyError('set')
  }
  override delete(_value: T): boolean {
    throw readOnlyError('set')
  }
  override clear(): void {
    throw readOnlyError('set')
  }
}

/**
 * Freezes a value and everything reachable from it. Maps and sets must already be FrozenMap /
 * FrozenSet (their contents are frozen here); functions are left alone.
 *
 * @example
 * const model = deepFreeze({ nodes: new FrozenMap([['a', { id: 'a' }]]) })
 */
export function deepFreeze<T>(value: T, seen = new WeakSet<object>()): T {
  if (typeof value !== 'object' || value === null || seen.has(value)) return value
  seen.add(value)
  if (value instanceof Map) {
    for (const [key, entry] of value) {
      deepFreeze(key, seen)
      deepFreeze(entry, seen)
    }
  } else if (value instanceof Set) {
    for (const entry of value) deepFreeze(entry, seen)
  } else {
    for (const key of Reflect.ownKeys(value))
      deepFreeze((value as Record<PropertyKey, unknown>)[key], seen)
  }
  return Object.freeze(value)
}
