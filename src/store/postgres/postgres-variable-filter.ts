/** Variable conditions on instances as PostgreSQL clauses over the state's JSON (jsonb). */
import type { VariableCondition } from '../store.ts'
import { conditionPath, operand, orderedOperand, orderingSql } from '../variable-filter.ts'
import type { PostgresValue } from './postgres-pool.ts'

/**
 * The clause for one condition; `param` binds a value and returns its placeholder. The root
 * variables are `state.variables[<instance key>]`.
 */
export function variableClause(
  condition: VariableCondition,
  param: (value: PostgresValue) => string,
): string {
  const path = param(conditionPath(condition))
  const value = `((state::jsonb) #> (ARRAY['variables', key::text] || ${path}::text[]))`
  switch (condition.operator) {
    case 'exists':
      return `${value} IS NOT NULL`
    case 'eq':
      return `${value} = ${param(JSON.stringify(operand(condition)))}::jsonb`
    case 'neq':
      return `${value} <> ${param(JSON.stringify(operand(condition)))}::jsonb`
    case 'in': {
      const values = (condition.values ?? []).map((v) => JSON.stringify(v))
      return `${value} = ANY(${param(values)}::jsonb[])`
    }
    default: {
      const expected = orderedOperand(condition)
      const op = orderingSql[condition.operator]
      if (typeof expected === 'number') {
        // CASE, not AND: PostgreSQL does not promise to test the type before the cast.
        return `CASE WHEN jsonb_typeof(${value}) = 'number' THEN (${value})::numeric ${op} ${param(expected)}::numeric ELSE false END`
      }
      return `(jsonb_typeof(${value}) = 'string' AND (${value} #>> '{}') COLLATE "C" ${op} ${param(expected)}::text)`
    }
  }
}
