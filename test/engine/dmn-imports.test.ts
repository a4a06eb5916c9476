import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { Engine } from '../../src/runtime/engine.ts'
import { batonError, engineWith } from '../support/engine-harness.ts'

const dmn13 = 'https://www.omg.org/spec/DMN/20191111/MODEL/'

/** A model of its own: the base price of an order from its amount. */
const pricing = {
  name: 'pricing.dmn',
  xml: `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="${dmn13}" id="pricing" name="Pricing" namespace="urn:baton:test:pricing">
  <inputData id="amount" name="Amount"><variable name="Amount" typeRef="number"/></inputData>
  <decision id="basePrice" name="Base price">
    <variable name="Base price" typeRef="number"/>
    <informationRequirement><requiredInput href="#amount"/></informationRequirement>
    <literalExpression><text>Amount * 2.5</text></literalExpression>
  </decision>
</definitions>`,
}

/** A model importing the pricing one and requiring its decision across files. */
const offer = {
  name: 'offer.dmn',
  xml: `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="${dmn13}" id="offer" name="Offer" namespace="urn:baton:test:offer">
  <import name="pricing" namespace="urn:baton:test:pricing" importType="${dmn13}"/>
  <decision id="offerPrice" name="Offer price">
    <variable name="Offer price" typeRef="number"/>
    <informationRequirement><requiredDecision href="urn:baton:test:pricing#basePrice"/></informationRequirement>
    <literalExpression><text>pricing.Base price * 0.9</text></literalExpression>
  </decision>
</definitions>`,
}

describe('engine/dmn-imports', () => {
  it('resolves a DMN import against another file of the same deployment', async (t) => {
    // given both files in one deployment
    const { engine } = await engineWith()
    t.after(() => engine.close())
    await engine.deploy([offer, pricing])

    // when
    const evaluation = await engine.evaluateDecision('offerPrice', { Amount: 100 })

    // then
    assert.equal(evaluation.result, 225)
    assert.deepEqual(
      engine
        .decisionDefinitions()
        .map((d) => d.decisionId)
        .sort(),
      ['basePrice', 'offerPrice'],
    )
  })

  it('rejects a file whose import no file of the deployment defines, naming the import', async (t) => {
    // given
    const { engine } = await engineWith()
    t.after(() => engine.close())

    // when / then
    await assert.rejects(
      engine.deploy([offer]),
      batonError(
        'BATON_MODEL_INVALID',
        /offer\.dmn.*imports 'pricing' \(namespace urn:baton:test:pricing\), which no DMN file given with it defines/s,
      ),
    )
    assert.deepEqual(engine.decisionDefinitions(), [])
  })

  it('keeps the import resolved across a restart of the engine', async (t) => {
    // given a file store with both files deployed together
    const dir = mkdtempSync(join(tmpdir(), 'baton-dmn-imports-'))
    const path = join(dir, 'baton.db')
    const first = await Engine.open({ path, durable: false })
    await first.deploy([pricing, offer])
    await first.close()

    // when
    const engine = await Engine.open({ path, durable: false })
    t.after(() => engine.close())
    // After the close: hooks run in the order added, and a live engine's files must stay.
    t.after(() => rmSync(dir, { recursive: true, force: true }))

    // then
    assert.equal((await engine.evaluateDecision('offerPrice', { Amount: 10 })).result, 22.5)
  })
})
