/**
 * betsy writes its conditions in a small Java-like language (`test.contains("a")`,
 * `!test.contains("a")`, `integerVariable<3`); Baton runs FEEL. The harness translates them when
 * it loads a model, so the engine is measured on its BPMN semantics and not on betsy's syntax.
 */

export type ConditionTranslation =
  { readonly ok: true; readonly feel: string } | { readonly ok: false; readonly reason: string }

type Token =
  | { readonly kind: 'name'; readonly text: string }
  | { readonly kind: 'number'; readonly text: string }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'symbol'; readonly text: string }

const symbols = ['&&', '||', '==', '!=', '<=', '>=', '<', '>', '!', '(', ')', '.', ',']

function tokenize(source: string): Token[] | string {
  const tokens: Token[] = []
  let at = 0
  while (at < source.length) {
    const rest = source.slice(at)
    const space = /^\s+/.exec(rest)
    if (space) {
      at += space[0].length
      continue
    }
    const name = /^[A-Za-z_$][\w$]*/.exec(rest)
    if (name) {
      tokens.push({ kind: 'name', text: name[0] })
      at += name[0].length
      continue
    }
    const number = /^-?\d+(\.\d+)?/.exec(rest)
    if (number) {
      tokens.push({ kind: 'number', text: number[0] })
      at += number[0].length
      continue
    }
    const quote = rest[0]
    if (quote === '"' || quote === "'") {
      let value = ''
      let i = 1
      for (; i < rest.length && rest[i] !== quote; i++) {
        if (rest[i] === '\\' && i + 1 < rest.length) i++
        value += rest[i]
      }
      if (i >= rest.length) return `unterminated string at column ${at + 1}`
      tokens.push({ kind: 'string', value })
      at += i + 1
      continue
    }
    const symbol = symbols.find((s) => rest.startsWith(s))
    if (!symbol) return `unexpected '${rest[0]}' at column ${at + 1}`
    tokens.push({ kind: 'symbol', text: symbol })
    at += symbol.length
  }
  return tokens
}

class Parser {
  private at = 0
  constructor(private readonly tokens: readonly Token[]) {}

  parse(): string {
    const feel = this.or()
    const left = this.tokens[this.at]
    if (left) throw new Error(`unexpected ${describe(left)} after the expression`)
    return feel
  }

  private or(): string {
    let feel = this.and()
    while (this.accept('||')) feel = `${feel} or ${this.and()}`
    return feel
  }

  private and(): string {
    let feel = this.unary()
    while (this.accept('&&')) feel = `${feel} and ${this.unary()}`
    return feel
  }

  private unary(): string {
    if (this.accept('!')) return `not(${this.unary()})`
    return this.comparison()
  }

  private comparison(): string {
    const left = this.primary()
    const next = this.tokens[this.at]
    if (next?.kind === 'symbol' && ['==', '!=', '<=', '>=', '<', '>'].includes(next.text)) {
      this.at++
      const right = this.primary()
      const operator = next.text === '==' ? '=' : next.text
      return `${left} ${operator} ${right}`
    }
    return left
  }

  private primary(): string {
    const token = this.tokens[this.at++]
    if (!token) throw new Error('the expression ends too early')
    switch (token.kind) {
      case 'number':
        return token.text
      case 'string':
        return JSON.stringify(token.value)
      case 'symbol':
        if (token.text === '(') {
          const inner = this.or()
          this.expect(')')
          return `(${inner})`
        }
        throw new Error(`unexpected ${describe(token)}`)
      case 'name':
        return this.nameOrCall(token.text)
    }
  }

  /** `x`, `true`, `null`, or a method call on a variable: only `x.contains(y)` has a FEEL twin. */
  private nameOrCall(name: string): string {
    if (!this.accept('.')) return name
    const method = this.tokens[this.at++]
    if (method?.kind !== 'name') throw new Error(`expected a method name after '${name}.'`)
    if (method.text !== 'contains') throw new Error(`no FEEL translation for '.${method.text}()'`)
    this.expect('(')
    const argument = this.or()
    this.expect(')')
    return `contains(${name}, ${argument})`
  }

  private accept(symbol: string): boolean {
    const token = this.tokens[this.at]
    if (token?.kind === 'symbol' && token.text === symbol) {
      this.at++
      return true
    }
    return false
  }

  private expect(symbol: string): void {
    if (!this.accept(symbol)) {
      const token = this.tokens[this.at]
      throw new Error(`expected '${symbol}' but found ${token ? describe(token) : 'the end'}`)
    }
  }
}

function describe(token: Token): string {
  return token.kind === 'string' ? JSON.stringify(token.value) : `'${token.text}'`
}

/**
 * Translates one betsy condition to FEEL (with Zeebe's leading `=`). A body that already starts
 * with `=` is FEEL and is kept as it is.
 *
 * @example
 * translateBetsyCondition('!test.contains("a")') // { ok: true, feel: '=not(contains(test, "a"))' }
 */
export function translateBetsyCondition(source: string): ConditionTranslation {
  const body = source.trim()
  if (body === '') return { ok: false, reason: 'the condition is empty' }
  if (body.startsWith('=')) return { ok: true, feel: body }
  const tokens = tokenize(body)
  if (typeof tokens === 'string') return { ok: false, reason: tokens }
  try {
    return { ok: true, feel: `=${new Parser(tokens).parse()}` }
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) }
  }
}

/** A condition of a model the harness could not translate (the model is deployed with it as is). */
export interface UntranslatedCondition {
  readonly element: string
  readonly body: string
  readonly reason: string
}

const conditionElements =
  /<((?:[\w.-]+:)?(?:conditionExpression|condition|loopCondition|completionCondition))(\s[^>]*)?>([\s\S]*?)<\/\1\s*>/g

/**
 * Rewrites every condition body of a BPMN file (sequence flow, conditional event, loop and
 * completion conditions) from betsy's language to FEEL. Empty bodies stay empty: they are part of
 * what the constraint models test.
 */
export function translateBetsyModel(xml: string): {
  readonly xml: string
  readonly untranslated: readonly UntranslatedCondition[]
} {
  const untranslated: UntranslatedCondition[] = []
  const rewritten = withPlaceholderFormat(xml).replace(
    conditionElements,
    (whole, tag: string, attributes: string | undefined, content: string) => {
      const body = decodeXmlText(content)
      if (body.trim() === '') return whole
      const translation = translateBetsyCondition(body)
      if (!translation.ok) {
        untranslated.push({ element: tag, body: body.trim(), reason: translation.reason })
        return whole
      }
      return `<${tag}${attributes ?? ''}>${encodeXmlText(translation.feel)}</${tag}>`
    },
  )
  return { xml: rewritten, untranslated }
}

/**
 * betsy's script placeholders are tokens (`SCRIPT_task1`, `CREATE_LOG_FILE`; see
 * betsy-placeholders.ts); an unknown one still reaches the harness, which fails the case.
 */
const placeholder = /^[A-Z][A-Za-z0-9_]*$/

/** The scriptFormat the harness gives betsy's placeholder scripts. */
export const betsyScriptFormat = 'text/x-betsy-placeholder'

/** A script task's start tag, then (within the task) its `<script>` body. */
const scriptTasks =
  /<((?:[\w.-]+:)?scriptTask)(\s[^>]*?)?>((?:(?!<\/?(?:[\w.-]+:)?scriptTask\b)[\s\S])*?)<((?:[\w.-]+:)?script)(?:\s[^>]*)?>([\s\S]*?)<\/\4\s*>/g

/**
 * betsy leaves the language of its placeholder scripts open, and each engine adapter of betsy
 * fills it in: the harness declares the placeholders' own format on script tasks that have none.
 * Other scripts keep what they have (constraint models test a missing or invalid format).
 */
function withPlaceholderFormat(xml: string): string {
  return xml.replace(
    scriptTasks,
    (whole, tag: string, attributes: string | undefined, _between, _script, content: string) => {
      const attrs = attributes ?? ''
      if (attrs.endsWith('/') || /\sscriptFormat\s*=/.test(attrs)) return whole
      if (!placeholder.test(decodeXmlText(content).trim())) return whole
      return `<${tag}${attrs} scriptFormat="${betsyScriptFormat}">${whole.slice(`<${tag}${attrs}>`.length)}`
    },
  )
}

function decodeXmlText(content: string): string {
  const cdata = /^\s*<!\[CDATA\[([\s\S]*)\]\]>\s*$/.exec(content)
  if (cdata) return cdata[1] ?? ''
  return content
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&amp;/g, '&')
}

function encodeXmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}
