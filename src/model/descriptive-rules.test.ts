/**
 * Descriptive processes (a file without any executable process): the rules only an executable
 * process must keep are warnings there, saying what Baton does instead; the same model marked
 * isExecutable="true" is rejected for each of them, with the same rule.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { compileBpmn } from './index.ts'
import type { ExecutableProcess, ModelProblem } from './types.ts'

const bpmnNs = 'http://www.omg.org/spec/BPMN/20100524/MODEL'
const zeebeNs = 'http://camunda.org/schema/zeebe/1.0'

function file(body: string, executable: boolean, roots = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="${bpmnNs}" xmlns:zeebe="${zeebeNs}" id="d" targetNamespace="t">
${roots}<process id="p" isExecutable="${String(executable)}">
${body}
</process>
</definitions>`
}

const flow = (id: string, from: string, to: string): string =>
  `<sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}"/>`

interface Case {
  readonly name: string
  readonly rule: string
  readonly element: string
  /** What the warning says Baton does instead. */
  readonly instead: RegExp
  readonly body: string
  readonly roots?: string
}

const cases: readonly Case[] = [
  {
    name: 'a flow node without incoming flow next to a start event',
    rule: 'flow-node-unreachable',
    element: 'loose',
    instead: /Baton starts it together with the start event whenever process 'p' starts/,
    body: `<startEvent id="s"/>${flow('f1', 's', 'e')}<task id="loose"/>${flow('f2', 'loose', 'e')}<endEvent id="e"/>`,
  },
  {
    name: 'a process without start event',
    rule: 'start-event-required',
    element: 'p',
    instead: /Baton starts it at its flow nodes without incoming sequence flow \(t\)/,
    body: `<task id="t"/>${flow('f1', 't', 'e')}<endEvent id="e"/>`,
  },
  {
    name: 'a subprocess with two none start events',
    rule: 'start-event-multiple',
    element: 's2',
    instead: /Baton starts every one of them when the subprocess starts/,
    body: `<startEvent id="s"/>${flow('f1', 's', 'sub')}<subProcess id="sub"><startEvent id="s1"/><startEvent id="s2"/>${flow('f2', 's1', 'e1')}${flow('f3', 's2', 'e1')}<endEvent id="e1"/></subProcess>`,
  },
  {
    name: 'an event subprocess with two start events',
    rule: 'event-subprocess-start-multiple',
    element: 'esp',
    instead: /Baton starts it whenever any one of them is triggered, at that start event/,
    roots: '<signal id="a" name="a"/><signal id="b" name="b"/>',
    body: `<startEvent id="s"/>${flow('f1', 's', 'e')}<endEvent id="e"/><subProcess id="esp" triggeredByEvent="true"><startEvent id="ea" isInterrupting="false"><signalEventDefinition signalRef="a"/></startEvent><startEvent id="eb" isInterrupting="false"><signalEventDefinition signalRef="b"/></startEvent>${flow('f2', 'ea', 'ee')}${flow('f3', 'eb', 'ee')}<endEvent id="ee"/></subProcess>`,
  },
  {
    name: 'an event-based gateway with one outgoing flow',
    rule: 'event-gateway-outgoing-flows',
    element: 'g',
    instead: /Baton waits for that one event/,
    roots: '<signal id="go" name="go"/>',
    body: `<startEvent id="s"/>${flow('f1', 's', 'g')}<eventBasedGateway id="g"/>${flow('f2', 'g', 'c')}<intermediateCatchEvent id="c"><signalEventDefinition signalRef="go"/></intermediateCatchEvent>`,
  },
  {
    name: 'a compensation boundary event without handler',
    rule: 'compensation-handler-missing',
    element: 'cb',
    instead: /Baton compensates nothing for 't'/,
    body: `<startEvent id="s"/>${flow('f1', 's', 't')}<task id="t"/>${flow('f2', 't', 'e')}<endEvent id="e"/><boundaryEvent id="cb" attachedToRef="t"><compensateEventDefinition/></boundaryEvent>`,
  },
  {
    name: 'a boundary event without event definition',
    rule: 'event-definition-required',
    element: 'b',
    instead: /Baton deploys it and never triggers it/,
    body: `<startEvent id="s"/>${flow('f1', 's', 't')}<task id="t"/>${flow('f2', 't', 'e')}<endEvent id="e"/><boundaryEvent id="b" attachedToRef="t"/>${flow('f3', 'b', 'e2')}<endEvent id="e2"/>`,
  },
  {
    name: 'a boundary event without outgoing flow',
    rule: 'boundary-event-outgoing-flow-required',
    element: 'b',
    instead: /Baton ends the path there when it is triggered/,
    roots: '<signal id="stop" name="stop"/>',
    body: `<startEvent id="s"/>${flow('f1', 's', 't')}<task id="t"/>${flow('f2', 't', 'e')}<endEvent id="e"/><boundaryEvent id="b" attachedToRef="t"><signalEventDefinition signalRef="stop"/></boundaryEvent>`,
  },
  {
    name: 'a message throw event without job',
    rule: 'task-definition-required',
    element: 'm',
    instead: /Baton sends its message itself \(when it names one, without correlation key\)/,
    body: `<startEvent id="s"/>${flow('f1', 's', 'm')}<intermediateThrowEvent id="m"><messageEventDefinition/></intermediateThrowEvent>${flow('f2', 'm', 'e')}<endEvent id="e"/>`,
  },
]

async function compiled(xml: string): Promise<{
  processes: readonly ExecutableProcess[]
  warnings: readonly ModelProblem[]
}> {
  const result = await compileBpmn(xml)
  if (!result.ok) {
    assert.fail(
      `expected the model to compile: ${result.problems.map((p) => p.message).join('; ')}`,
    )
  }
  return result
}

void describe('model/descriptive-rules', () => {
  for (const c of cases) {
    void it(`${c.name}: a warning in a descriptive process, an error in an executable one`, async () => {
      // given the same model, not executable and executable
      const descriptive = await compileBpmn(file(c.body, false, c.roots))
      const executable = await compileBpmn(file(c.body, true, c.roots))

      // then the descriptive one compiles, warning for the element what Baton does instead
      if (!descriptive.ok) assert.fail(descriptive.problems.map((p) => p.message).join('; '))
      const warning = descriptive.warnings.find(
        (w) => w.rule === c.rule && w.elementId === c.element,
      )
      assert.ok(warning, `no ${c.rule} warning on '${c.element}'`)
      assert.match(warning.message, /as a descriptive model/)
      assert.match(warning.message, c.instead)
      // and the executable one is rejected for the same rule on the same element
      assert.equal(executable.ok, false)
      if (executable.ok) return
      assert.ok(
        executable.problems.some((p) => p.rule === c.rule && p.elementId === c.element),
        `expected error ${c.rule} on '${c.element}', got ${executable.problems.map((p) => p.rule).join(', ')}`,
      )
    })
  }

  void it('a descriptive process starts at its start events and implicit starts, in document order', async () => {
    // given a task without incoming flow before the start event, and a second start event
    const { processes } = await compiled(
      file(
        `<task id="t"/><startEvent id="s"/>${flow('f1', 's', 'j')}${flow('f2', 't', 'j')}<parallelGateway id="j"/>${flow('f3', 'j', 'e')}<endEvent id="e"/><startEvent id="other"/>${flow('f4', 'other', 'e')}`,
        false,
      ),
    )
    // then the process lists them all; which start events get a token is decided at start
    assert.deepEqual(processes[0]?.tokenStartIds, ['t', 's', 'other'])
  })

  void it('a descriptive subprocess with several start events lists them with its implicit starts', async () => {
    const { processes } = await compiled(
      file(
        `<startEvent id="s"/>${flow('f1', 's', 'sub')}<subProcess id="sub"><startEvent id="s1"/><task id="t"/><startEvent id="s2"/>${flow('f2', 's1', 'e1')}${flow('f3', 's2', 'e1')}${flow('f4', 't', 'e1')}<endEvent id="e1"/></subProcess>`,
        false,
      ),
    )
    assert.deepEqual(processes[0]?.nodes.get('sub')?.tokenStartIds, ['s1', 't', 's2'])
  })

  void it('an executable process keeps its tokens at the start event only', async () => {
    const { processes } = await compiled(
      file(`<startEvent id="s"/>${flow('f1', 's', 'e')}<endEvent id="e"/>`, true),
    )
    assert.equal(processes[0]?.tokenStartIds, undefined)
  })

  void it('a non-executable process next to an executable one is skipped, and the executable keeps every rule', async () => {
    // given an executable process with a loose task, and a descriptive-looking second process
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="${bpmnNs}" id="d" targetNamespace="t">
<process id="run" isExecutable="true"><startEvent id="s"/>${flow('f1', 's', 'e')}<task id="loose"/>${flow('f2', 'loose', 'e')}<endEvent id="e"/></process>
<process id="draw" isExecutable="false"><task id="t"/></process>
</definitions>`
    // when compiled
    const result = await compileBpmn(xml)
    // then the loose task is an error: the file has an executable process
    assert.equal(result.ok, false)
    if (result.ok) return
    assert.deepEqual(
      result.problems.map((p) => [p.rule, p.elementId]),
      [['flow-node-unreachable', 'loose']],
    )
  })

  void it('says in the process-not-executable warning that the process runs as a descriptive one', async () => {
    const { warnings } = await compiled(
      file(`<startEvent id="s"/>${flow('f1', 's', 'e')}<endEvent id="e"/>`, false),
    )
    const warning = warnings.find((w) => w.rule === 'process-not-executable')
    assert.match(warning?.message ?? '', /runs it as a descriptive process/)
  })

  void it('keeps as errors what a descriptive process cannot run either', async () => {
    // an event subprocess without start event, and a subprocess with nothing to start at
    const result = await compileBpmn(
      file(
        `<startEvent id="s"/>${flow('f1', 's', 'sub')}<subProcess id="sub"><subProcess id="inner" triggeredByEvent="true"><endEvent id="x"/></subProcess></subProcess>${flow('f2', 'sub', 'e')}<endEvent id="e"/>`,
        false,
      ),
    )
    assert.equal(result.ok, false)
    if (result.ok) return
    assert.deepEqual(result.problems.map((p) => [p.rule, p.elementId]).sort(), [
      ['event-subprocess-start-required', 'inner'],
      ['start-event-required', 'sub'],
    ])
  })
})
