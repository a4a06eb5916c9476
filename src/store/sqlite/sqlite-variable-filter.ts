/** Variable conditions on instances as SQLite clauses over the state's JSON (json_extract). */
import type { JsonValue } from '../../engine/types.ts'
import type { VariableCondition } from '../store.ts'
import { conditionPath, operand, orderedOperand, orderingSql } from '../variable-filter.ts'
import type { SqliteValue } from './sqlite-database.ts'

/** A clause and its parameters, in order. */
export interface SqliteClause {
  readonly sql: string
  readonly params: SqliteValue[]
}

/** The root variables are `state.variables[<instance key>]`. */
const pathPrefix = `'$.variables."' || key || '".' || ?`

export function variableClause(condition: VariableCondition): SqliteClause {
  const path = conditionPath(condition)
    .map((segment) => `"${segment}"`)
    .join('.')
  const params: SqliteValue[] = []
  const type = (): string => {
    params.push(path)
    return `json_type(state, ${pathPrefix})`
  }
  const value = (): string => {
    params.push(path)
    return `json_extract(state, ${pathPrefix})`
  }
  const equal = (expected: JsonValue): string => {
    if (expected === null) return `${type()} = 'null'`
    if (typeof expected === 'boolean') return `${type()} = '${expected ? 'true' : 'false'}'`
    if (typeof expected === 'number') {
      const sql = `(${type()} IN ('integer', 'real') AND ${value()} = ?)`
      params.push(expected)
      return sql
    }
    if (typeof expected === 'string') {
      const sql = `(${type()} = 'text' AND ${value()} = ?)`
      params.push(expected)
      return sql
    }
    const sql = `(${type()} = '${Array.isArray(expected) ? 'array' : 'object'}' AND json(${value()}) = json(?))`
    params.push(JSON.stringify(expected))
    return sql
  }
  switch (condition.operator) {
    case 'exists':
      return { sql: `${type()} IS NOT NULL`, params }
    case 'eq':
      return { sql: equal(operand(condition)), params }
    case 'neq': {
      const exists = `${type()} IS NOT NULL`
      return { sql: `(${exists} AND NOT ${equal(operand(condition))})`, params }
    }
    case 'in': {
      const values = condition.values ?? []
      if (values.length === 0) return { sql: '0', params }
      return { sql: `(${values.map(equal).join(' OR ')})`, params }
    }
    default: {
      const expected = orderedOperand(condition)
      const types = typeof expected === 'number' ? `IN ('integer', 'real')` : `= 'text'`
      const sql = `(${type()} ${types} AND ${value()} ${orderingSql[condition.operator]} ?)`
      params.push(expected)
      return { sql, params }
    }
  }
}
