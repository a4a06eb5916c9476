/** Checks shared by the adapters' variable conditions (see VariableCondition in store.ts). */
import type { JsonValue } from '../engine/types.ts'
import type { VariableCondition } from './store.ts'

/** The property names from the variables object down to the compared value. */
export function conditionPath(condition: VariableCondition): string[] {
  const path = [condition.name, ...(condition.path ?? [])]
  for (const segment of path) {
    if (segment === '' || /["\\]/.test(segment)) {
      throw new RangeError(
        `invalid variable path segment ${JSON.stringify(segment)}: names must be non-empty, without quotes or backslashes`,
      )
    }
  }
  return path
}

/** The operand of a comparison; throws when the operator needs one and there is none. */
export function operand(condition: VariableCondition): JsonValue {
  if (condition.value === undefined) {
    throw new RangeError(`the ${condition.operator} condition on ${condition.name} needs a value`)
  }
  return condition.value
}

/** The operand of lt, lte, gt, gte: a number or a string. */
export function orderedOperand(condition: VariableCondition): number | string {
  const value = operand(condition)
  if (typeof value !== 'number' && typeof value !== 'string') {
    throw new RangeError(
      `${condition.operator} on ${condition.name} compares numbers or strings, got ${JSON.stringify(value)}`,
    )
  }
  return value
}

export const orderingSql = { lt: '<', lte: '<=', gt: '>', gte: '>=' } as const
