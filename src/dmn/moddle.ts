import { DmnModdle } from 'dmn-moddle'
import { createRequire } from 'node:module'

/**
 * The slice of a dmn-moddle element this module reads. dmn-moddle ships no types, so elements are
 * described structurally (the kysely habit) instead of importing them.
 */
export interface ModdleElement {
  readonly $type: string
  readonly id?: string
  readonly name?: string
  readonly [property: string]: unknown
}

export interface ModdleParseResult {
  readonly definitions: ModdleElement
  readonly warnings: readonly string[]
}

/** The DMN namespaces dmn-moddle 12 does not know, mapped onto the DMN 1.3 one it does. */
const dmn13 = 'https://www.omg.org/spec/DMN/20191111/MODEL/'
const modelNamespaces = [
  'http://www.omg.org/spec/DMN/20151101/dmn.xsd',
  'http://www.omg.org/spec/DMN/20180521/MODEL/',
  'https://www.omg.org/spec/DMN/20211108/MODEL/',
  'https://www.omg.org/spec/DMN/20230324/MODEL/',
]

const require = createRequire(import.meta.url)

interface MetaPackage {
  types: { name: string; superClass?: string[]; properties?: object[] }[]
}

/**
 * DMN 1.3 plus the DMN 1.5 boxed expressions (conditional, filter, for, some, every), which the
 * TCK exercises and dmn-moddle 12 does not describe.
 */
function dmnPackage(): MetaPackage {
  const base = require('dmn-moddle/resources/dmn/json/dmn13.json') as MetaPackage
  const child = (name: string): object => ({
    name,
    type: 'ChildExpression',
    xml: { serialize: 'property' },
  })
  return {
    ...base,
    types: [
      ...base.types,
      {
        name: 'ChildExpression',
        properties: [
          { name: 'id', isAttr: true, type: 'String' },
          { name: 'expression', type: 'Expression' },
        ],
      },
      {
        name: 'Conditional',
        superClass: ['Expression'],
        properties: ['if', 'then', 'else'].map(child),
      },
      { name: 'Filter', superClass: ['Expression'], properties: ['in', 'match'].map(child) },
      {
        name: 'Iterator',
        superClass: ['Expression'],
        properties: [{ name: 'iteratorVariable', isAttr: true, type: 'String' }, child('in')],
      },
      { name: 'For', superClass: ['Iterator'], properties: [child('return')] },
      { name: 'Some', superClass: ['Iterator'], properties: [child('satisfies')] },
      { name: 'Every', superClass: ['Iterator'], properties: [child('satisfies')] },
    ],
  }
}

interface Moddle {
  fromXML(
    xml: string,
    type: string,
  ): Promise<{ rootElement: ModdleElement; warnings: { message: string }[] }>
}

let moddle: Moddle | undefined

/** Parses DMN 1.1–1.5 XML; DMN DI is dropped (it carries no decision logic). */
export async function parseDmnXml(xml: string): Promise<ModdleParseResult> {
  moddle ??= new (DmnModdle as new (packages: object) => Moddle)({ dmn: dmnPackage() })
  let text = xml
  for (const ns of modelNamespaces) text = text.replaceAll(ns, dmn13)
  text = text.replace(/<(\w+:)?DMNDI[\s>][\s\S]*<\/(\w+:)?DMNDI>/, '')
  const result = await moddle.fromXML(text, 'dmn:Definitions')
  return {
    definitions: result.rootElement,
    warnings: result.warnings.map((w) => w.message.split('\n')[0] ?? w.message),
  }
}
