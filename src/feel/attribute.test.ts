import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { evaluateAttribute, parseAttribute } from './attribute.ts'

void describe('feel/attribute', () => {
  void it('reads a value without a leading = as a literal, kept as written', () => {
    assert.deepEqual(parseAttribute('payment'), {
      ok: true,
      value: { kind: 'literal', value: 'payment' },
    })
    assert.deepEqual(parseAttribute(' a = b '), {
      ok: true,
      value: { kind: 'literal', value: ' a = b ' },
    })
  })

  void it('reads a value with a leading = as FEEL, without the = and the whitespace', () => {
    const parsed = parseAttribute('  =  amount * 2  ')
    assert.ok(parsed.ok && parsed.value.kind === 'feel')
    assert.equal(parsed.value.expression.source, 'amount * 2')
    assert.deepEqual(evaluateAttribute(parsed.value, { amount: 21 }), { ok: true, value: 42 })
  })

  void it('rejects a FEEL attribute with a syntax error or nothing after the =', () => {
    const broken = parseAttribute('=amount +')
    assert.equal(broken.ok, false)
    assert.match(broken.ok ? '' : broken.error, /Invalid FEEL expression "amount \+"/)
    assert.deepEqual(parseAttribute('= '), { ok: false, error: 'The FEEL expression is empty' })
  })

  void it('evaluates a literal to its string', () => {
    assert.deepEqual(evaluateAttribute({ kind: 'literal', value: 'x' }, { x: 1 }), {
      ok: true,
      value: 'x',
    })
  })

  void it('passes the clock on to the expression', () => {
    const parsed = parseAttribute('=today()')
    assert.ok(parsed.ok)
    const options = { now: () => new Date('2030-05-06T07:00:00Z') }
    assert.deepEqual(evaluateAttribute(parsed.value, {}, options), {
      ok: true,
      value: '2030-05-06',
    })
  })
})
