/**
 * The betsy harness on a small suite of its own (written to a temp folder), so its judging is
 * tested whether or not the shared corpora are present.
 */
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { readBetsyModelFacts } from './betsy-model-facts.ts'
import { BetsySuiteError } from './betsy-suite.ts'
import { runBetsy, type BetsyReport } from './betsy.ts'

/** A process: start -> the given scripts in sequence -> end. */
function sequence(id: string, scripts: readonly string[]): string {
  const nodes = ['CREATE_LOG_FILE', ...scripts]
  const tasks = nodes
    .map(
      (script, i) =>
        `<bpmn2:scriptTask id="t${i}"><bpmn2:script>${script}</bpmn2:script></bpmn2:scriptTask>`,
    )
    .join('\n')
  const ids = ['s', ...nodes.map((_, i) => `t${i}`), 'e']
  const flows = ids
    .slice(1)
    .map(
      (target, i) => `<bpmn2:sequenceFlow id="f${i}" sourceRef="${ids[i]}" targetRef="${target}"/>`,
    )
    .join('\n')
  return definitions(`<bpmn2:process id="${id}" isExecutable="true">
  <bpmn2:startEvent id="s"/>${tasks}<bpmn2:endEvent id="e"/>${flows}</bpmn2:process>`)
}

function definitions(body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn2:definitions xmlns:bpmn2="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
${body}
</bpmn2:definitions>`
}

const exclusive = definitions(`<bpmn2:process id="Xor" isExecutable="true">
  <bpmn2:startEvent id="s"/>
  <bpmn2:scriptTask id="log"><bpmn2:script>CREATE_LOG_FILE</bpmn2:script></bpmn2:scriptTask>
  <bpmn2:exclusiveGateway id="g" default="toB"/>
  <bpmn2:scriptTask id="a"><bpmn2:script>SCRIPT_task1</bpmn2:script></bpmn2:scriptTask>
  <bpmn2:scriptTask id="b"><bpmn2:script>SCRIPT_task2</bpmn2:script></bpmn2:scriptTask>
  <bpmn2:endEvent id="ea"/><bpmn2:endEvent id="eb"/>
  <bpmn2:sequenceFlow id="f1" sourceRef="s" targetRef="log"/>
  <bpmn2:sequenceFlow id="f2" sourceRef="log" targetRef="g"/>
  <bpmn2:sequenceFlow id="toA" sourceRef="g" targetRef="a">
    <bpmn2:conditionExpression>test.contains("a")</bpmn2:conditionExpression>
  </bpmn2:sequenceFlow>
  <bpmn2:sequenceFlow id="toB" sourceRef="g" targetRef="b"/>
  <bpmn2:sequenceFlow id="f3" sourceRef="a" targetRef="ea"/>
  <bpmn2:sequenceFlow id="f4" sourceRef="b" targetRef="eb"/>
</bpmn2:process>`)

const parallel = definitions(`<bpmn2:process id="Par" isExecutable="true">
  <bpmn2:startEvent id="s"/>
  <bpmn2:parallelGateway id="split"/><bpmn2:parallelGateway id="join"/>
  <bpmn2:scriptTask id="a"><bpmn2:script>CREATE_TIMESTAMP_LOG_1</bpmn2:script></bpmn2:scriptTask>
  <bpmn2:scriptTask id="b"><bpmn2:script>CREATE_TIMESTAMP_LOG_2</bpmn2:script></bpmn2:scriptTask>
  <bpmn2:endEvent id="e"/>
  <bpmn2:sequenceFlow id="f1" sourceRef="s" targetRef="split"/>
  <bpmn2:sequenceFlow id="f2" sourceRef="split" targetRef="a"/>
  <bpmn2:sequenceFlow id="f3" sourceRef="split" targetRef="b"/>
  <bpmn2:sequenceFlow id="f4" sourceRef="a" targetRef="join"/>
  <bpmn2:sequenceFlow id="f5" sourceRef="b" targetRef="join"/>
  <bpmn2:sequenceFlow id="f6" sourceRef="join" targetRef="e"/>
</bpmn2:process>`)

const broken = definitions(`<bpmn2:process id="Broken" isExecutable="true">
  <bpmn2:startEvent id="s"/><bpmn2:sequenceFlow id="f" sourceRef="s" targetRef="nowhere"/>
</bpmn2:process>`)

const tests = [
  {
    id: 'SEQ',
    model: 'models/seq.bpmn',
    testCases: [{ input: null, expectedTrace: ['task1', 'task2'] }],
  },
  {
    id: 'SEQ_LISTED_BACKWARDS',
    model: 'models/seq.bpmn',
    testCases: [{ input: null, expectedTrace: ['task2', 'task1'] }],
  },
  {
    id: 'SEQ_WRONG',
    model: 'models/seq.bpmn',
    testCases: [{ input: null, expectedTrace: ['task1', 'task3'] }],
  },
  {
    id: 'XOR',
    model: 'models/xor.bpmn',
    testCases: [
      { input: { test: 'a' }, expectedTrace: ['task1'] },
      { input: 'b', expectedTrace: ['task2'] },
    ],
  },
  {
    id: 'UNKNOWN_SCRIPT',
    model: 'models/unknown.bpmn',
    testCases: [{ input: null, expectedTrace: [] }],
  },
  { id: 'WAIT', model: 'models/wait.bpmn', testCases: [{ input: null, expectedTrace: ['task1'] }] },
  {
    id: 'PARALLEL',
    model: 'models/parallel.bpmn',
    testCases: [{ input: null, expectedTrace: ['EXECUTION_PARALLEL'], delayMs: 22000 }],
  },
  {
    id: 'INCREMENT',
    model: 'models/increment.bpmn',
    testCases: [{ input: null, expectedTrace: ['task1'], integerVariable: 41 }],
  },
]

const constraints = [
  { model: 'models/broken.bpmn', constraint: 'X1' },
  { model: 'models/seq.bpmn', constraint: 'X2' },
]

let dir = ''
let report: BetsyReport

function outcome(name: string): string {
  const result = report.cases.find((c) => c.name === name)
  assert.ok(result, `no result for ${name}`)
  return result.failure === undefined ? 'PASS' : `FAIL ${result.failure.kind}`
}

void describe('conformance/betsy harness', () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'baton-betsy-'))
    mkdirSync(join(dir, 'models'))
    const models: Record<string, string> = {
      'seq.bpmn': sequence('Seq', ['SCRIPT_task1', 'SCRIPT_task2']),
      'xor.bpmn': exclusive,
      'unknown.bpmn': sequence('Unknown', ['FROBNICATE']),
      'wait.bpmn': sequence('Wait', ['WAIT_TEN_SECONDS', 'SCRIPT_task1']),
      'parallel.bpmn': parallel,
      'increment.bpmn': sequence('Increment', ['INCREMENT_INTEGER_VARIABLE', 'SCRIPT_task1']),
      'broken.bpmn': broken,
    }
    for (const [name, xml] of Object.entries(models)) writeFileSync(join(dir, 'models', name), xml)
    writeFileSync(join(dir, 'tests.json'), JSON.stringify(tests))
    writeFileSync(join(dir, 'constraints.json'), JSON.stringify(constraints))
    report = await runBetsy(dir)
  })
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('passes a sequence whose trace matches', () => {
    assert.equal(outcome('SEQ#0'), 'PASS')
  })

  it('compares like betsy (sorted) and notes an order difference; --strict-order fails it', async () => {
    assert.equal(outcome('SEQ_LISTED_BACKWARDS#0'), 'PASS')
    const noted = report.cases.find((c) => c.name === 'SEQ_LISTED_BACKWARDS#0')
    assert.match(noted?.notes?.join() ?? '', /order differs/)
    const strict = await runBetsy(dir, { sections: 'tests', order: 'strict', filter: 'BACKWARDS' })
    assert.equal(strict.cases[0]?.failure?.kind, 'trace')
  })

  it('fails a trace that differs', () => {
    assert.equal(outcome('SEQ_WRONG#0'), 'FAIL trace')
  })

  it('translates betsy conditions and passes a bare input as `test`', () => {
    assert.equal(outcome('XOR#0'), 'PASS')
    assert.equal(outcome('XOR#1'), 'PASS')
  })

  it('turns an unknown placeholder into an incident that fails the case', () => {
    assert.equal(outcome('UNKNOWN_SCRIPT#0'), 'FAIL incident')
    const failure = report.cases.find((c) => c.name === 'UNKNOWN_SCRIPT#0')?.failure
    assert.match(failure?.reason ?? '', /FROBNICATE/)
  })

  it('waits on the virtual clock, and sees overlapping branches as parallel', () => {
    assert.equal(outcome('WAIT#0'), 'PASS')
    assert.equal(outcome('PARALLEL#0'), 'PASS')
    assert.equal(outcome('INCREMENT#0'), 'PASS')
  })

  it('checks that constraint models are rejected', () => {
    assert.deepEqual(
      report.constraints?.map((c) => [c.constraint, c.rejected]),
      [
        ['X1', true],
        ['X2', false],
      ],
    )
  })

  it('refuses a folder that is not a betsy suite', async () => {
    await assert.rejects(runBetsy(join(dir, 'missing')), BetsySuiteError)
  })

  it('compares as a multiset when branches may run concurrently', () => {
    assert.match(readBetsyModelFacts(parallel).concurrency ?? '', /parallelGateway/)
    assert.equal(readBetsyModelFacts(exclusive).concurrency, undefined)
    assert.deepEqual(readBetsyModelFacts(exclusive).processIds, ['Xor'])
  })
})
