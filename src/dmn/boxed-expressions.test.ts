import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { compileDmn } from './compile.ts'
import { dmnDocument } from './dmn-fixture.ts'
import { evaluateDecision } from './evaluate.ts'

const lit = (text: string): string => `<literalExpression><text>${text}</text></literalExpression>`

async function decide(logic: string, extra = '', requirements = ''): Promise<unknown> {
  const compiled = await compileDmn(
    dmnDocument(
      `${extra}<decision id="d" name="d"><variable name="d"/>${requirements}${logic}</decision>`,
    ),
  )
  assert.ok(compiled.ok, JSON.stringify(compiled))
  const result = evaluateDecision(compiled.compiled, 'd', {})
  assert.ok(result.ok, JSON.stringify(result))
  return result.value
}

describe('dmn/boxed-expressions', () => {
  it('literal expression', async () => {
    assert.equal(await decide(lit('1 + 2')), 3)
  })

  it('context: entries see earlier entries; a final unnamed entry is the result', async () => {
    const entry = (name: string, text: string): string =>
      `<contextEntry><variable name="${name}"/>${lit(text)}</contextEntry>`
    assert.deepEqual(await decide(`<context>${entry('a', '2')}${entry('b', 'a * 3')}</context>`), {
      a: 2,
      b: 6,
    })
    assert.equal(
      await decide(
        `<context>${entry('a', '2')}<contextEntry>${lit('a + 1')}</contextEntry></context>`,
      ),
      3,
    )
  })

  it('invocation of a business knowledge model binds parameters by name', async () => {
    const bkm = `<businessKnowledgeModel id="twice" name="twice"><variable name="twice"/>
      <encapsulatedLogic><formalParameter name="n"/>${lit('n * 2')}</encapsulatedLogic></businessKnowledgeModel>`
    const logic = `<invocation>${lit('twice')}<binding><parameter name="n"/>${lit('21')}</binding></invocation>`
    assert.equal(
      await decide(
        logic,
        bkm,
        '<knowledgeRequirement><requiredKnowledge href="#twice"/></knowledgeRequirement>',
      ),
      42,
    )
  })

  it('list and relation', async () => {
    assert.deepEqual(await decide(`<list>${lit('1')}${lit('"b"')}</list>`), [1, 'b'])
    const relation = `<relation><column name="x"/><column name="y"/>
      <row>${lit('1')}${lit('2')}</row><row>${lit('3')}${lit('4')}</row></relation>`
    assert.deepEqual(await decide(relation), [
      { x: 1, y: 2 },
      { x: 3, y: 4 },
    ])
  })

  it('function definition inside a context, then invoked', async () => {
    const logic = `<context><contextEntry><variable name="f"/>
      <functionDefinition><formalParameter name="a"/><formalParameter name="b"/>${lit('a - b')}</functionDefinition>
      </contextEntry><contextEntry>${lit('f(10, 4)')}</contextEntry></context>`
    assert.equal(await decide(logic), 6)
  })

  it('conditional, filter and iterators (DMN 1.5)', async () => {
    const dmn15 = (logic: string): Promise<unknown> => decide(logic)
    assert.equal(
      await dmn15(
        `<conditional><if>${lit('1 > 2')}</if><then>${lit('"a"')}</then><else>${lit('"b"')}</else></conditional>`,
      ),
      'b',
    )
    assert.deepEqual(
      await dmn15(`<filter><in>${lit('[1,2,3,4]')}</in><match>${lit('item > 2')}</match></filter>`),
      [3, 4],
    )
    assert.deepEqual(
      await dmn15(
        `<for iteratorVariable="x"><in>${lit('[1,2]')}</in><return>${lit('x * 10')}</return></for>`,
      ),
      [10, 20],
    )
    assert.equal(
      await dmn15(
        `<some iteratorVariable="x"><in>${lit('[1,2]')}</in><satisfies>${lit('x > 1')}</satisfies></some>`,
      ),
      true,
    )
    assert.equal(
      await dmn15(
        `<every iteratorVariable="x"><in>${lit('[1,2]')}</in><satisfies>${lit('x > 1')}</satisfies></every>`,
      ),
      false,
    )
  })
})
