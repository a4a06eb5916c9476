/**
 * Fast path for the unary tests most decision tables are made of: literal numbers, strings and
 * booleans, comparisons with a number, and number intervals, possibly as a comma list. Anything
 * else (names, functions, `not(...)`, temporals) returns undefined and goes to the FEEL evaluator.
 */
export type SimpleTest = (input: unknown) => boolean | null

const cache = new Map<string, SimpleTest | null>()

const number = String.raw`-?\d+(?:\.\d+)?`
const comparison = new RegExp(String.raw`^(<=|>=|<|>|=)?\s*(${number})$`)
const interval = new RegExp(String.raw`^([[(\]])\s*(${number})\s*\.\.\s*(${number})\s*([\])[])$`)
const stringLiteral = /^"((?:[^"\\]|\\.)*)"$/

function compileOne(test: string): SimpleTest | undefined {
  const text = test.trim()
  if (text === 'true' || text === 'false') {
    const expected = text === 'true'
    return (input) => (input === null ? false : input === expected)
  }
  const str = stringLiteral.exec(text)
  if (str !== null) {
    if (str[1]?.includes('\\') === true) return undefined
    const expected = str[1]
    return (input) => input === expected
  }
  const cmp = comparison.exec(text)
  if (cmp !== null) {
    const bound = Number(cmp[2])
    const op = cmp[1] ?? '='
    return (input) => {
      if (typeof input !== 'number')
        return input === null || typeof input === 'string' ? false : null
      switch (op) {
        case '<':
          return input < bound
        case '<=':
          return input <= bound
        case '>':
          return input > bound
        case '>=':
          return input >= bound
        default:
          return input === bound
      }
    }
  }
  const range = interval.exec(text)
  if (range !== null) {
    const low = Number(range[2])
    const high = Number(range[3])
    const lowIncluded = range[1] === '['
    const highIncluded = range[4] === ']'
    return (input) => {
      if (typeof input !== 'number')
        return input === null || typeof input === 'string' ? false : null
      return (
        (lowIncluded ? input >= low : input > low) && (highIncluded ? input <= high : input < high)
      )
    }
  }
  return undefined
}

/** Splits on top-level commas (not inside strings or brackets). */
function splitList(text: string): string[] {
  const parts: string[] = []
  let depth = 0
  let quoted = false
  let start = 0
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quoted) {
      if (c === '\\') i++
      else if (c === '"') quoted = false
    } else if (c === '"') quoted = true
    else if (c === '(' || c === '[') depth++
    else if (c === ')' || c === ']') depth--
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i))
      start = i + 1
    }
  }
  parts.push(text.slice(start))
  return parts
}

export function simpleUnaryTest(text: string): SimpleTest | undefined {
  const cached = cache.get(text)
  if (cached !== undefined) return cached ?? undefined
  const tests = splitList(text).map(compileOne)
  let result: SimpleTest | null = null
  if (tests.every((t) => t !== undefined)) {
    const all = tests
    const only = all[0]
    result =
      all.length === 1 && only !== undefined
        ? only
        : (input) => {
            let sawNull = false
            for (const t of all) {
              const r = t(input)
              if (r === true) return true
              if (r === null) sawNull = true
            }
            return sawNull ? null : false
          }
  }
  if (cache.size < 10_000) cache.set(text, result)
  return result ?? undefined
}
