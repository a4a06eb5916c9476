/**
 * FEEL's `matches` and `replace` take XML Schema regular expressions with XPath flags (`s`, `m`,
 * `i`, `x`). This turns one into a JavaScript RegExp: `x` drops whitespace outside character
 * classes, class subtraction (`[A-Z-[OI]]`) becomes the `v` flag's `--`, the Unicode block escape
 * `\p{IsBasicLatin}` becomes its range. A pattern XML Schema does not allow (a back reference
 * inside a class, an unknown flag or block) throws, so the call can report an error.
 */
const blocks: Readonly<Record<string, string>> = {
  IsBasicLatin: '\\u0000-\\u007F',
  'IsLatin-1Supplement': '\\u0080-\\u00FF',
  IsGreek: '\\u0370-\\u03FF',
  IsCyrillic: '\\u0400-\\u04FF',
}

const whitespace = new Set([' ', '\t', '\n', '\r'])

/** The `x` flag: whitespace goes, even between a backslash and what it escapes, but not in classes. */
function dropWhitespace(pattern: string): string {
  let out = ''
  let depth = 0
  let escaped = false
  for (const c of pattern) {
    if (whitespace.has(c) && depth === 0) continue
    out += c
    if (escaped) escaped = false
    else if (c === '\\') escaped = true
    else if (c === '[') depth++
    else if (c === ']' && depth > 0) depth--
  }
  return out
}

export function xsdRegExp(source: string, flags: string, global = false): RegExp {
  for (const flag of flags) {
    if (!'smix'.includes(flag)) throw new Error(`unknown regular expression flag '${flag}'`)
  }
  const pattern = flags.includes('x') ? dropWhitespace(source) : source
  let out = ''
  let depth = 0
  let subtraction = false
  /** Where the content of each open character class starts in `out`. */
  const starts: number[] = []
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? ''
    if (c === '\\') {
      const next = pattern[i + 1] ?? ''
      if (next === 'p' || next === 'P') {
        const close = pattern.indexOf('}', i)
        const raw = close < 0 ? '' : pattern.slice(i + 3, close)
        const name = raw
        const block = blocks[name]
        if (name.startsWith('Is')) {
          if (block === undefined) throw new Error(`unknown Unicode block '${name}'`)
          const negated = next === 'P'
          out += depth > 0 ? block : `[${negated ? '^' : ''}${block}]`
          i = close
          continue
        }
        out += pattern.slice(i, close + 1)
        i = close
        continue
      }
      if (depth > 0 && /\d/.test(next)) {
        throw new Error(`a back reference (\\${next}) cannot stand in a character class`)
      }
      out += c + next
      i++
      continue
    }
    if (c === '[') {
      const start = starts.at(-1)
      if (depth > 0 && start !== undefined && out.endsWith('-')) {
        // [A-Z-[OI]] -> [[A-Z]--[OI]]: the v flag subtracts one class from another
        const negated = out[start] === '^' ? '^' : ''
        const from = start + negated.length
        out = `${out.slice(0, from)}[${out.slice(from, -1)}]--`
        subtraction = true
      }
      depth++
      out += c
      starts.push(out.length)
      continue
    }
    if (c === ']' && depth > 0) {
      depth--
      starts.pop()
      out += c
      continue
    }
    out += c
  }
  const jsFlags = [...flags].filter((f) => f !== 'x').join('') + (global ? 'g' : '')
  try {
    // Unicode mode: as strict as XML Schema about unknown escapes and missing groups
    return new RegExp(out, jsFlags + (subtraction ? 'v' : 'u'))
  } catch (error) {
    throw new Error(
      `${JSON.stringify(source)} is not a valid regular expression (${error instanceof Error ? error.message : String(error)})`,
    )
  }
}

/** An XPath replacement string (`$1`, `\$`, `\\`) in JavaScript's form (`$1`, `$$`, `\`). */
export function xsdReplacement(replacement: string): string {
  let out = ''
  for (let i = 0; i < replacement.length; i++) {
    const c = replacement[i] ?? ''
    const next = replacement[i + 1] ?? ''
    if (c === '\\') {
      if (next !== '\\' && next !== '$') throw new Error(`'\\' must escape '\\' or '$'`)
      out += next === '$' ? '$$' : '\\'
      i++
    } else if (c === '$') {
      if (!/\d/.test(next)) throw new Error(`'$' must be followed by a group number`)
      out += next === '0' ? '$&' : '$'
      if (next === '0') i++
    } else out += c
  }
  return out
}
