/** A MIME type (`text/plain`, `text/x-markdown`, `application/xhtml+xml; charset=utf-8`). */
const mimeType = /^[\w.+-]+\/[\w.+-]+(?:\s*;.*)?$/

/**
 * Whether a `textFormat` or `scriptFormat` value is a MIME type, as BPMN requires.
 *
 * @example
 * isMimeType('text/javascript') // true; isMimeType('groovy') // false
 */
export function isMimeType(value: string): boolean {
  return mimeType.test(value.trim())
}

/** Script languages that engines accept by name in `scriptFormat` (lower case). */
const scriptLanguages = new Set([
  'javascript',
  'js',
  'ecmascript',
  'graal.js',
  'nashorn',
  'typescript',
  'groovy',
  'python',
  'jython',
  'ruby',
  'jruby',
  'java',
  'kotlin',
  'mvel',
  'juel',
  'feel',
  'xslt',
  'xpath',
  'beanshell',
  'bsh',
  'lua',
])

/**
 * Whether a `scriptFormat` names a language: a MIME type as BPMN asks, a URI (jBPM writes
 * `http://www.java.com/java`), or a language name engines accept (`groovy`, `javascript`).
 *
 * @example
 * isScriptFormat('text/x-groovy') // true; isScriptFormat('groovy') // true; isScriptFormat('INVALID') // false
 */
export function isScriptFormat(value: string): boolean {
  const format = value.trim()
  return (
    isMimeType(format) ||
    /^[a-z][\w+.-]*:\/\/\S+$/i.test(format) ||
    scriptLanguages.has(format.toLowerCase())
  )
}
