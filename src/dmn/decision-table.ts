import { feelEvaluate, feelUnaryTest, type FeelScope } from './feel/feel.ts'
import { simpleUnaryTest, type SimpleTest } from './feel/simple-unary-test.ts'
import type { DecisionRule, DecisionTable } from './model.ts'

/**
 * A rule's input entry resolved once per table: `true` for `-` (matches anything), the direct
 * test of a plain entry (`< 10`, `"gold"`, `[1..5]`), or undefined for FEEL that needs the
 * evaluator. A direct test that answers `null` also goes to the evaluator, as in
 * {@link feelUnaryTest}.
 */
type PreparedEntry = true | SimpleTest | undefined

const preparedTables = new WeakMap<DecisionTable, readonly (readonly PreparedEntry[])[]>()

function preparedEntries(table: DecisionTable): readonly (readonly PreparedEntry[])[] {
  let prepared = preparedTables.get(table)
  if (prepared === undefined) {
    prepared = table.rules.map((rule) =>
      rule.inputEntries.map((entry) => {
        const trimmed = entry.trim()
        return trimmed === '-' || trimmed === '' ? true : simpleUnaryTest(trimmed)
      }),
    )
    preparedTables.set(table, prepared)
  }
  return prepared
}

export interface DecisionTableOutcome {
  readonly value: unknown
  /** The rules whose results make up the value, in the order the hit policy used them. */
  readonly matched: readonly DecisionRule[]
  readonly errors: readonly string[]
}

/**
 * Evaluates a decision table: input expressions once, every rule's input entries against them,
 * then the hit policy over the matching rules' output entries.
 */
export function evaluateDecisionTable(
  table: DecisionTable,
  scope: FeelScope,
): DecisionTableOutcome {
  const errors: string[] = []
  const inputs = table.inputs.map((input, column) => {
    const outcome = feelEvaluate(input.text, scope)
    if (outcome.error !== undefined)
      errors.push(`input column ${column + 1} ('${input.text}'): ${outcome.error}`)
    return outcome.value
  })
  const prepared = preparedEntries(table)
  const matched = table.rules.filter((rule, row) =>
    rule.inputEntries.every((entry, column) => {
      const direct = prepared[row]?.[column]
      if (direct === true) return true
      const input = inputs[column] ?? null
      if (direct !== undefined) {
        const value = direct(input)
        if (value !== null) return value
      }
      const test = feelUnaryTest(entry, input, scope)
      if (test.error !== undefined) {
        errors.push(`rule ${rule.index}, input column ${column + 1} ('${entry}'): ${test.error}`)
      }
      return test.value === true
    }),
  )
  const outputOf = (rule: DecisionRule): unknown => {
    const values = table.outputs.map((output, column) => {
      const text = rule.outputEntries[column] ?? 'null'
      const outcome = feelEvaluate(text, scope)
      if (outcome.error !== undefined) {
        errors.push(`rule ${rule.index}, output column ${column + 1} ('${text}'): ${outcome.error}`)
      }
      return [output.name ?? '', outcome.value] as const
    })
    return single(values)
  }
  const single = (values: readonly (readonly [string, unknown])[]): unknown => {
    const only = values[0]
    return table.outputs.length === 1 && only !== undefined ? only[1] : Object.fromEntries(values)
  }
  const defaults = (): unknown => {
    if (table.outputs.every((o) => o.defaultOutput === undefined)) return null
    return single(
      table.outputs.map(
        (o) =>
          [
            o.name ?? '',
            o.defaultOutput === undefined ? null : feelEvaluate(o.defaultOutput, scope).value,
          ] as const,
      ),
    )
  }
  const result = (value: unknown, rules: readonly DecisionRule[]): DecisionTableOutcome => ({
    value,
    matched: rules,
    errors,
  })
  const fail = (message: string): DecisionTableOutcome => {
    errors.push(message)
    return { value: null, matched: [], errors }
  }

  switch (table.hitPolicy) {
    case 'UNIQUE': {
      if (matched.length > 1) {
        return fail(`hit policy UNIQUE: rules ${matched.map((r) => r.index).join(', ')} all match`)
      }
      const rule = matched[0]
      return rule === undefined ? result(defaults(), []) : result(outputOf(rule), [rule])
    }
    case 'FIRST': {
      const rule = matched[0]
      return rule === undefined ? result(defaults(), []) : result(outputOf(rule), [rule])
    }
    case 'ANY': {
      const first = matched[0]
      if (first === undefined) return result(defaults(), [])
      const value = outputOf(first)
      for (const rule of matched.slice(1)) {
        if (feelEvaluate('a = b', { a: value, b: outputOf(rule) }).value !== true) {
          return fail(
            `hit policy ANY: rules ${first.index} and ${rule.index} match with different outputs`,
          )
        }
      }
      return result(value, matched)
    }
    case 'PRIORITY': {
      const sorted = sortByPriority(table, matched, scope)
      const rule = sorted[0]
      return rule === undefined ? result(defaults(), []) : result(outputOf(rule), [rule])
    }
    case 'OUTPUT ORDER': {
      const sorted = sortByPriority(table, matched, scope)
      return result(sorted.map(outputOf), sorted)
    }
    case 'RULE ORDER':
      return result(matched.map(outputOf), matched)
    case 'COLLECT': {
      const values = matched.map(outputOf)
      if (table.aggregation === undefined) return result(values, matched)
      if (table.aggregation === 'COUNT') return result(values.length, matched)
      if (values.length === 0) return result(null, matched)
      const fn = table.aggregation.toLowerCase()
      const outcome = feelEvaluate(`${fn}(values)`, { values })
      if (outcome.error !== undefined)
        errors.push(`hit policy COLLECT ${table.aggregation}: ${outcome.error}`)
      return result(outcome.value, matched)
    }
  }
}

/** Orders rules by their outputs' positions in the output values lists (first listed wins). */
function sortByPriority(
  table: DecisionTable,
  rules: readonly DecisionRule[],
  scope: FeelScope,
): DecisionRule[] {
  const priorities = table.outputs.map((output) => {
    if (output.outputValues === undefined) return []
    const list = feelEvaluate(`[${output.outputValues}]`, scope).value
    return Array.isArray(list) ? list : []
  })
  const rank = (rule: DecisionRule): number[] =>
    table.outputs.map((_, column) => {
      const value = feelEvaluate(rule.outputEntries[column] ?? 'null', scope).value
      const list = priorities[column] ?? []
      const index = list.findIndex(
        (candidate) => feelEvaluate('a = b', { a: candidate, b: value }).value === true,
      )
      return index < 0 ? list.length : index
    })
  const ranked = rules.map((rule) => ({ rule, rank: rank(rule) }))
  ranked.sort((a, b) => {
    for (let i = 0; i < a.rank.length; i++) {
      const d = (a.rank[i] ?? 0) - (b.rank[i] ?? 0)
      if (d !== 0) return d
    }
    return a.rule.index - b.rule.index
  })
  return ranked.map((r) => r.rule)
}
