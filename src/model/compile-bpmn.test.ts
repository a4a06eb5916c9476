import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { describe, it } from 'node:test'
import { checkEngineSupport, constructsOf } from './engine-constructs.ts'
import { engineSupport } from './engine-support.ts'
import { compileBpmn } from './index.ts'
import { ProblemCollector } from './problem-collector.ts'
import type { CompileResult, ExecutableProcess, FlowNode, ModelProblem } from './types.ts'

const fixture = (name: string): Promise<string> =>
  readFile(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')

/** A definitions document around one process body (first line of the body is line 4). */
function bpmn(body: string, processAttributes = 'isExecutable="true"'): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="Definitions_1" targetNamespace="http://bpmn.io/schema/bpmn">',
    `<bpmn:process id="p" ${processAttributes}>`,
    body,
    '</bpmn:process>',
    '</bpmn:definitions>',
  ].join('\n')
}

/** start -> (given element with id `x`) -> end */
function around(element: string): string {
  return bpmn(`<bpmn:startEvent id="s" />
${element}
<bpmn:endEvent id="e" />
<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="x" />
<bpmn:sequenceFlow id="f2" sourceRef="x" targetRef="e" />`)
}

function expectOk(result: CompileResult): {
  processes: readonly ExecutableProcess[]
  warnings: readonly ModelProblem[]
} {
  if (!result.ok)
    assert.fail(`expected ok, got problems: ${JSON.stringify(result.problems, null, 2)}`)
  return result
}

function expectProblems(result: CompileResult): readonly ModelProblem[] {
  if (result.ok) assert.fail('expected the model to be rejected')
  assert.ok(result.problems.length > 0)
  return result.problems
}

function only(result: CompileResult): ExecutableProcess {
  const { processes } = expectOk(result)
  assert.equal(processes.length, 1)
  return processes[0]!
}

const rules = (problems: readonly ModelProblem[]): string[] => problems.map((p) => p.rule)

void describe('model/compile-bpmn', () => {
  void describe('a Camunda Modeler model', () => {
    void it('compiles every element, extension and flow of the order fixture', async () => {
      const process = only(await compileBpmn(await fixture('order-fulfilment.bpmn')))
      assert.equal(process.id, 'order-fulfilment')
      assert.equal(process.name, 'Order fulfilment')
      assert.equal(process.startEventId, 'StartEvent_order')
      assert.deepEqual(process.childNodeIds, [
        'StartEvent_order',
        'Task_charge',
        'Gateway_large',
        'Task_review',
        'Task_discount',
        'Gateway_merge',
        'SubProcess_ship',
        'Activity_notify',
        'EndEvent_done',
      ])

      const charge = process.nodes.get('Task_charge')
      assert.equal(charge?.type, 'serviceTask')
      assert.deepEqual(charge.job?.type, { kind: 'literal', value: 'payment' })
      assert.deepEqual(charge.job?.retries, { kind: 'literal', value: '5' })
      assert.deepEqual(charge.job?.headers, { currency: 'EUR' })
      assert.deepEqual(
        charge.ioMapping?.inputs.map((m) => [m.source.source, m.target]),
        [
          ['order.total', 'amount'],
          ['order.customer.id', 'payment.customerId'],
        ],
      )
      assert.deepEqual(
        charge.ioMapping?.outputs.map((m) => m.target),
        ['order.transactionId'],
      )
      assert.deepEqual(charge.incoming, ['Flow_toCharge'])
      assert.deepEqual(charge.outgoing, ['Flow_toCheck'])

      const gateway = process.nodes.get('Gateway_large')
      assert.equal(gateway?.defaultFlow, 'Flow_small')
      const large = process.flows.get('Flow_large')
      assert.equal(large?.condition?.source, 'order.total > 1000')
      assert.deepEqual(large.condition.evaluate({ order: { total: 2000 } }), {
        ok: true,
        value: true,
      })
      assert.equal(process.flows.get('Flow_small')?.condition, undefined)

      const review = process.nodes.get('Task_review')?.userTask
      assert.equal(review?.assignee?.kind, 'feel')
      assert.deepEqual(review.candidateGroups, { kind: 'literal', value: 'sales, managers' })
      assert.deepEqual(review.priority, { kind: 'literal', value: '80' })
      assert.equal(review.dueDate?.kind, 'feel')
      assert.equal(review.formKey, 'camunda-forms:bpmn:UserTaskForm_review')
      assert.equal(review.formSchema, '{ "components": [] }')

      const discount = process.nodes.get('Task_discount')?.script
      assert.equal(discount?.resultVariable, 'discount')
      assert.deepEqual(discount.expression.evaluate({ order: { total: 100 } }), {
        ok: true,
        value: 5,
      })

      const ship = process.nodes.get('SubProcess_ship')
      assert.equal(ship?.startEventId, 'StartEvent_ship')
      assert.deepEqual(ship.childNodeIds, ['StartEvent_ship', 'Task_pack', 'EndEvent_shipped'])
      assert.equal(process.nodes.get('Task_pack')?.scopeId, 'SubProcess_ship')
      assert.equal(process.nodes.get('Task_pack')?.type, 'manualTask')

      const notify = process.nodes.get('Activity_notify')?.calledElement
      assert.equal(notify?.processId.kind, 'feel')
      assert.equal(notify.propagateAllChildVariables, false)
      assert.equal(notify.propagateAllParentVariables, true)

      assert.deepEqual(process.nodes.get('EndEvent_done')?.eventDefinition, { type: 'terminate' })
      assert.equal(process.inclusiveJoinSources.size, 0)
    })

    void it('freezes the result so that accidental mutation fails', async () => {
      const process = only(await compileBpmn(await fixture('order-fulfilment.bpmn')))
      const node = process.nodes.get('Task_charge')!
      assert.throws(() => (process.nodes as Map<string, unknown>).set('x', node), TypeError)
      assert.throws(() => (process.flows as Map<string, unknown>).delete('Flow_large'), TypeError)
      assert.throws(() => (node.outgoing as string[]).push('x'), TypeError)
      assert.throws(() => {
        ;(node as { name?: string }).name = 'changed'
      }, TypeError)
      assert.throws(() => {
        ;(node.job!.headers as Record<string, string>).extra = 'x'
      }, TypeError)
    })

    void it('computes the sources of an inclusive join', async () => {
      const process = only(await compileBpmn(await fixture('inclusive-review.bpmn')))
      assert.deepEqual([...(process.inclusiveJoinSources.get('Gateway_join') ?? [])].sort(), [
        'Gateway_fork',
        'StartEvent_1',
        'Task_finance',
        'Task_legal',
      ])
      assert.equal(process.inclusiveJoinSources.has('Gateway_fork'), false)
      assert.throws(() =>
        (process.inclusiveJoinSources.get('Gateway_join') as Set<string>).add('x'),
      )
    })

    void it('counts a subprocess as one node and stops at the join itself in a loop', async () => {
      const process = only(
        await compileBpmn(
          bpmn(`<bpmn:startEvent id="s" />
<bpmn:inclusiveGateway id="join" />
<bpmn:subProcess id="sub">
  <bpmn:startEvent id="subStart" />
  <bpmn:endEvent id="subEnd" />
  <bpmn:sequenceFlow id="sf" sourceRef="subStart" targetRef="subEnd" />
</bpmn:subProcess>
<bpmn:exclusiveGateway id="again" default="done" />
<bpmn:endEvent id="e" />
<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="join" />
<bpmn:sequenceFlow id="f2" sourceRef="join" targetRef="sub" />
<bpmn:sequenceFlow id="f3" sourceRef="sub" targetRef="again" />
<bpmn:sequenceFlow id="back" sourceRef="again" targetRef="join"><bpmn:conditionExpression>=retry</bpmn:conditionExpression></bpmn:sequenceFlow>
<bpmn:sequenceFlow id="done" sourceRef="again" targetRef="e" />`),
        ),
      )
      assert.deepEqual([...(process.inclusiveJoinSources.get('join') ?? [])].sort(), [
        'again',
        's',
        'sub',
      ])
      // each source with the incoming flows of the join its paths end on
      const reach = process.inclusiveJoinReach.get('join')
      assert.deepEqual([...(reach?.get('s') ?? [])], ['f1'])
      assert.deepEqual([...(reach?.get('sub') ?? [])], ['back'])
      assert.deepEqual([...(reach?.get('again') ?? [])], ['back'])
    })
  })

  void describe('malformed input', () => {
    const cases: [string, unknown][] = [
      ['an empty string', ''],
      ['whitespace', '  \n '],
      ['text that is not XML', 'this is no xml'],
      [
        'an unclosed tag',
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"',
      ],
      ['binary junk', '\u0089PNG\r\n\u001a\n\u0000\u0000<<<\u0000>>&&;'],
      ['mismatched tags', bpmn('<bpmn:task id="x"></bpmn:startEvent>')],
      ['a non-string', 42],
    ]
    for (const [what, input] of cases) {
      void it(`reports xml-malformed for ${what} instead of throwing`, async () => {
        const problems = expectProblems(await compileBpmn(input as string))
        assert.deepEqual(new Set(rules(problems)), new Set(['xml-malformed']))
        assert.ok(problems[0]!.message.length > 20)
      })
    }

    void it('says when the XML is a DMN file', async () => {
      const problems = expectProblems(
        await compileBpmn(
          '<?xml version="1.0"?>\n<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="x"><decision id="a"/></definitions>',
        ),
      )
      assert.deepEqual(rules(problems), ['xml-not-bpmn'])
      assert.match(problems[0]!.message, /DMN/)
    })

    void it('reports a file without process', async () => {
      const problems = expectProblems(
        await compileBpmn(
          '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" />',
        ),
      )
      assert.deepEqual(rules(problems), ['process-required'])
    })

    void it('survives a huge id', async () => {
      const id = 'x'.repeat(200_000)
      const process = only(
        await compileBpmn(around(`<bpmn:task id="${id}" />`).replaceAll('"x"', `"${id}"`)),
      )
      assert.equal(process.nodes.get(id)?.type, 'task')
    })
  })

  void describe('problems', () => {
    void it('lists every problem of a model, each with element, line and message', async () => {
      const problems = expectProblems(await compileBpmn(await fixture('broken-order.bpmn')))
      const byRule = new Map(problems.map((p) => [`${p.rule} ${p.elementId}`, p]))
      assert.deepEqual([...byRule.keys()].sort(), [
        'flow-target-missing Flow_5',
        'gateway-flow-condition-required Flow_4',
        'task-definition-required Task_charge',
        'timer-invalid Event_wait',
      ])
      assert.equal(byRule.get('task-definition-required Task_charge')?.line, 5)
      assert.equal(byRule.get('timer-invalid Event_wait')?.line, 7)
      assert.match(byRule.get('timer-invalid Event_wait')!.message, /timeDuration 'PT1 hour'/)
      assert.match(byRule.get('flow-target-missing Flow_5')!.message, /Task_missing/)
      for (const problem of problems) assert.ok(problem.message.length > 30, problem.message)
    })

    void it('requires a start event per process and exactly one none start per subprocess', async () => {
      const none = expectProblems(await compileBpmn(bpmn('<bpmn:task id="t" />')))
      assert.deepEqual(rules(none), ['start-event-required'])
      assert.equal(none[0]!.elementId, 'p')
      assert.equal(none[0]!.line, 3)

      // a process may offer several none starts; an instance names the one it starts at
      const two = only(
        await compileBpmn(bpmn('<bpmn:startEvent id="a" />\n<bpmn:startEvent id="b" />')),
      )
      assert.equal(two.startEventId, '')
      assert.deepEqual(two.startEventIds, ['a', 'b'])

      const twoInSub = expectProblems(
        await compileBpmn(
          around(
            '<bpmn:subProcess id="x"><bpmn:startEvent id="a" /><bpmn:startEvent id="b" /></bpmn:subProcess>',
          ),
        ),
      )
      assert.deepEqual(rules(twoInSub), ['start-event-multiple'])
      assert.equal(twoInSub[0]!.elementId, 'b')

      const sub = expectProblems(
        await compileBpmn(
          around('<bpmn:subProcess id="x"><bpmn:task id="inner" /></bpmn:subProcess>'),
        ),
      )
      assert.deepEqual(rules(sub), ['start-event-required'])
      assert.equal(sub[0]!.elementId, 'x')
    })

    void it('rejects a sequence flow that leaves its subprocess', async () => {
      const problems = expectProblems(
        await compileBpmn(
          around(`<bpmn:subProcess id="x">
  <bpmn:startEvent id="subStart" />
  <bpmn:task id="inner" />
  <bpmn:sequenceFlow id="sf" sourceRef="subStart" targetRef="inner" />
</bpmn:subProcess>
<bpmn:sequenceFlow id="escape" sourceRef="inner" targetRef="e" />`),
        ),
      )
      assert.deepEqual(rules(problems), ['flow-crosses-scope'])
      assert.equal(problems[0]!.elementId, 'escape')
    })

    void it('finds duplicate and missing ids', async () => {
      const duplicate = expectProblems(
        await compileBpmn(around('<bpmn:task id="x" />\n<bpmn:task id="x" />')),
      )
      assert.ok(rules(duplicate).includes('id-duplicate'))
      const problem = duplicate.find((p) => p.rule === 'id-duplicate')!
      assert.equal(problem.elementId, 'x')
      assert.equal(problem.line, 6)
      assert.match(problem.message, /lines 5, 6/)

      const missing = expectProblems(
        await compileBpmn(around('<bpmn:task id="x" />\n<bpmn:task name="No id" />')),
      )
      assert.ok(rules(missing).includes('id-required'))
      assert.match(missing.find((p) => p.rule === 'id-required')!.message, /"No id"/)
    })

    void it('rejects start events with incoming and end events with outgoing flows', async () => {
      const problems = expectProblems(
        await compileBpmn(
          bpmn(`<bpmn:startEvent id="s" />
<bpmn:endEvent id="e" />
<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="e" />
<bpmn:sequenceFlow id="f2" sourceRef="e" targetRef="s" />`),
        ),
      )
      assert.deepEqual(rules(problems).sort(), [
        'end-event-outgoing-flow',
        'start-event-incoming-flow',
      ])
    })

    void it('rejects a flow node nobody reaches in a scope with a start event', async () => {
      const problems = expectProblems(
        await compileBpmn(around('<bpmn:task id="x" />\n<bpmn:task id="lonely" />')),
      )
      assert.deepEqual(
        problems.map((p) => [p.rule, p.elementId]),
        [['flow-node-unreachable', 'lonely']],
      )
    })

    void it('rejects a gateway that neither splits nor joins, and documentation that is not a MIME type', async () => {
      const gatewayProblems = expectProblems(
        await compileBpmn(around('<bpmn:parallelGateway id="x" />')),
      )
      assert.deepEqual(
        gatewayProblems.map((p) => [p.rule, p.elementId]),
        [['gateway-flows-invalid', 'x']],
      )
      const documentation = expectProblems(
        await compileBpmn(
          around(
            '<bpmn:task id="x"><bpmn:documentation textFormat="INVALID">notes</bpmn:documentation></bpmn:task>',
          ),
        ),
      )
      assert.deepEqual(
        documentation.map((p) => [p.rule, p.elementId]),
        [['documentation-format-invalid', 'x']],
      )
      expectOk(
        await compileBpmn(
          around(
            '<bpmn:task id="x"><bpmn:documentation textFormat="text/markdown">notes</bpmn:documentation></bpmn:task>',
          ),
        ),
      )
    })

    void it('rejects exactly the nodes whose constructs are not in engineSupport', async () => {
      const xml = bpmn(`<bpmn:startEvent id="s" />
<bpmn:startEvent id="ms" name="Order received"><bpmn:messageEventDefinition messageRef="m" /></bpmn:startEvent>
<bpmn:eventBasedGateway id="g" />
<bpmn:intermediateCatchEvent id="t1"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
<bpmn:receiveTask id="r" messageRef="m2" />
<bpmn:task id="mi"><bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>3</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics></bpmn:task>
<bpmn:boundaryEvent id="b" name="Remind" attachedToRef="mi" cancelActivity="false"><bpmn:timerEventDefinition><bpmn:timeCycle>R/PT1H</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:boundaryEvent>
<bpmn:task id="loop"><bpmn:standardLoopCharacteristics><bpmn:loopCondition>=false</bpmn:loopCondition></bpmn:standardLoopCharacteristics></bpmn:task>
<bpmn:task id="undo" isForCompensation="true" />
<bpmn:adHocSubProcess id="adHoc"><bpmn:task id="pick" /></bpmn:adHocSubProcess>
<bpmn:transaction id="tx"><bpmn:startEvent id="ts" /><bpmn:endEvent id="te"><bpmn:cancelEventDefinition /></bpmn:endEvent><bpmn:sequenceFlow id="tf" sourceRef="ts" targetRef="te" /></bpmn:transaction>
<bpmn:intermediateThrowEvent id="comp"><bpmn:compensateEventDefinition /></bpmn:intermediateThrowEvent>
<bpmn:endEvent id="e" />
<bpmn:subProcess id="esp" triggeredByEvent="true">
  <bpmn:startEvent id="espStart"><bpmn:signalEventDefinition signalRef="sig" /></bpmn:startEvent>
  <bpmn:endEvent id="espEnd" />
  <bpmn:sequenceFlow id="ef" sourceRef="espStart" targetRef="espEnd" />
</bpmn:subProcess>
<bpmn:sequenceFlow id="f0" sourceRef="ms" targetRef="g" />
<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="g" />
<bpmn:sequenceFlow id="f2" sourceRef="g" targetRef="t1" />
<bpmn:sequenceFlow id="f3" sourceRef="g" targetRef="r" />
<bpmn:sequenceFlow id="f4" sourceRef="t1" targetRef="mi" />
<bpmn:sequenceFlow id="f5" sourceRef="r" targetRef="mi" />
<bpmn:sequenceFlow id="f6" sourceRef="mi" targetRef="loop" />
<bpmn:sequenceFlow id="f7" sourceRef="loop" targetRef="adHoc" />
<bpmn:sequenceFlow id="f8" sourceRef="adHoc" targetRef="tx" />
<bpmn:sequenceFlow id="f9" sourceRef="tx" targetRef="comp" />
<bpmn:sequenceFlow id="f10" sourceRef="comp" targetRef="e" />
<bpmn:sequenceFlow id="f11" sourceRef="b" targetRef="e" />
</bpmn:process>
<bpmn:message id="m" name="order" />
<bpmn:message id="m2" name="payment"><bpmn:extensionElements><zeebe:subscription correlationKey="=orderId" /></bpmn:extensionElements></bpmn:message>
<bpmn:signal id="sig" name="stop" />
<bpmn:process id="unused">`)
      const { processes } = expectOk(await compileBpmn(xml, { allowUnsupported: true }))
      const nodes = [...processes[0]!.nodes.values()]
      const missing = new Map(
        nodes
          .map(
            (node) => [node.id, constructsOf(node).filter((c) => !engineSupport.has(c))] as const,
          )
          .filter(([, constructs]) => constructs.length > 0),
      )

      // The engine team widens engineSupport over time: derive what must still be rejected.
      const result = await compileBpmn(xml)
      if (missing.size === 0) {
        expectOk(result)
        return
      }
      const problems = expectProblems(result)
      assert.deepEqual(new Set(rules(problems)), new Set(['element-unsupported']))
      assert.deepEqual(problems.map((p) => p.elementId).sort(), [...missing.keys()].sort())
      for (const problem of problems) {
        assert.match(problem.message, /is not executable by Baton yet \(the engine does not run /)
        for (const construct of missing.get(problem.elementId!) ?? []) {
          assert.ok(problem.message.includes(construct), `${problem.message} names ${construct}`)
        }
      }
    })

    void it('names the element by its kind, trigger and name when the engine cannot run it', () => {
      const problems = new ProblemCollector(() => undefined)
      const boundary: FlowNode = {
        id: 'b',
        name: 'Remind',
        type: 'boundaryEvent',
        scopeId: 'p',
        incoming: [],
        outgoing: ['f'],
        attachedToRef: 't',
        cancelActivity: false,
        eventDefinition: {
          type: 'timer',
          timer: { kind: 'cycle', value: { kind: 'literal', value: 'R/PT1H' } },
        },
      }
      assert.equal(checkEngineSupport(boundary, problems, new Set(['boundaryEvent'])), false)
      assert.equal(
        checkEngineSupport(
          { ...boundary, id: 'ok' },
          problems,
          new Set(['boundaryEvent', 'boundaryEvent:timer']),
        ),
        true,
      )
      assert.deepEqual(
        problems.errors.map((p) => [p.rule, p.elementId, p.message]),
        [
          [
            'element-unsupported',
            'b',
            "non-interrupting timer boundary event 'Remind' (b) is not executable by Baton yet (the engine does not run boundaryEvent:timer). Remove it, or model the step with elements Baton runs.",
          ],
        ],
      )
    })

    void it('rejects what the model cannot represent even when unsupported constructs are allowed', async () => {
      const problems = expectProblems(
        await compileBpmn(around(`<bpmn:implicitThrowEvent id="x" />`), { allowUnsupported: true }),
      )
      assert.deepEqual(rules(problems), ['element-unsupported'])
      assert.match(problems[0]!.message, /implicitThrowEvent/)
    })

    void it('rejects zeebe extensions that would otherwise be silently ignored', async () => {
      const problems = expectProblems(
        await compileBpmn(
          around(`<bpmn:task id="x"><bpmn:extensionElements><zeebe:executionListeners>
<zeebe:executionListener eventType="start" type="audit" /></zeebe:executionListeners></bpmn:extensionElements></bpmn:task>`),
        ),
      )
      assert.deepEqual(rules(problems), ['extension-unsupported'])
    })
  })

  void describe('tasks', () => {
    void it('requires a task definition on service and send tasks', async () => {
      for (const type of ['serviceTask', 'sendTask']) {
        const problems = expectProblems(await compileBpmn(around(`<bpmn:${type} id="x" />`)))
        assert.deepEqual(rules(problems), ['task-definition-required'], type)
        assert.equal(problems[0]!.line, 5)
      }
    })

    void it('requires a called decision or a task definition on a business rule task', async () => {
      const problems = expectProblems(await compileBpmn(around('<bpmn:businessRuleTask id="x" />')))
      assert.deepEqual(rules(problems), ['business-rule-task-implementation-required'])
      assert.match(problems[0]!.message, /zeebe:calledDecision.*zeebe:taskDefinition/)
      assert.equal(problems[0]!.line, 5)
    })

    void it('defaults retries to 3 and accepts FEEL job types', async () => {
      const node = only(
        await compileBpmn(
          around(
            '<bpmn:sendTask id="x"><bpmn:extensionElements><zeebe:taskDefinition type="=&quot;mail-&quot; + channel" /></bpmn:extensionElements></bpmn:sendTask>',
          ),
        ),
      ).nodes.get('x')
      assert.equal(node?.job?.type.kind, 'feel')
      assert.deepEqual(node.job.retries, { kind: 'literal', value: '3' })
      assert.deepEqual(node.job.headers, {})
    })

    const ruleTask = (extensions: string): string =>
      around(
        `<bpmn:businessRuleTask id="x"><bpmn:extensionElements>${extensions}</bpmn:extensionElements></bpmn:businessRuleTask>`,
      )

    void it('compiles a business rule task calling a DMN decision', async () => {
      const node = only(
        await compileBpmn(
          ruleTask('<zeebe:calledDecision decisionId="risk" resultVariable="riskLevel" />'),
        ),
      ).nodes.get('x')
      assert.deepEqual(node?.calledDecision, {
        decisionId: { kind: 'literal', value: 'risk' },
        resultVariable: 'riskLevel',
      })
      assert.equal(node.job, undefined)
    })

    void it('accepts a FEEL decision id on a called decision', async () => {
      const node = only(
        await compileBpmn(
          ruleTask(
            '<zeebe:calledDecision decisionId="=&quot;risk-&quot; + region" resultVariable="r" bindingType="latest" />',
          ),
        ),
      ).nodes.get('x')
      assert.equal(node?.calledDecision?.decisionId.kind, 'feel')
    })

    void it('rejects a business rule task with both a called decision and a task definition', async () => {
      const problems = expectProblems(
        await compileBpmn(
          ruleTask(
            '<zeebe:calledDecision decisionId="d" resultVariable="r" /><zeebe:taskDefinition type="rules" />',
          ),
        ),
      )
      assert.deepEqual(rules(problems), ['business-rule-task-ambiguous'])
    })

    void it('names what a called decision lacks', async () => {
      const problems = expectProblems(
        await compileBpmn(ruleTask('<zeebe:calledDecision decisionId="" resultVariable="a b" />')),
      )
      assert.deepEqual(rules(problems), [
        'called-decision-id-required',
        'called-decision-result-variable-required',
      ])
    })

    void it('does not run called decisions bound to a deployment or a version tag yet', async () => {
      const problems = expectProblems(
        await compileBpmn(
          ruleTask(
            '<zeebe:calledDecision decisionId="d" resultVariable="r" bindingType="versionTag" versionTag="v1" />',
          ),
        ),
      )
      assert.deepEqual(rules(problems), ['element-unsupported'])
      assert.match(problems[0]!.message, /businessRuleTask:calledDecision:versionTag/)
      const untagged = expectProblems(
        await compileBpmn(
          ruleTask(
            '<zeebe:calledDecision decisionId="d" resultVariable="r" bindingType="versionTag" />',
          ),
        ),
      )
      assert.deepEqual(rules(untagged), ['called-decision-version-tag-required'])
    })

    void it('turns a non-FEEL script into a job of type script', async () => {
      const node = only(
        await compileBpmn(
          around(
            '<bpmn:scriptTask id="x" scriptFormat="javascript"><bpmn:script>log("hi")</bpmn:script></bpmn:scriptTask>',
          ),
        ),
      ).nodes.get('x')
      assert.deepEqual(node?.job?.type, { kind: 'literal', value: 'script' })
      assert.deepEqual(node.job.headers, { script: 'log("hi")', scriptFormat: 'javascript' })
    })

    void it('rejects a script task without any script', async () => {
      const problems = expectProblems(await compileBpmn(around('<bpmn:scriptTask id="x" />')))
      assert.deepEqual(rules(problems), ['script-required'])
    })

    void it('requires a result variable on zeebe:script', async () => {
      const problems = expectProblems(
        await compileBpmn(
          around(
            '<bpmn:scriptTask id="x"><bpmn:extensionElements><zeebe:script expression="=1" /></bpmn:extensionElements></bpmn:scriptTask>',
          ),
        ),
      )
      assert.deepEqual(rules(problems), ['script-result-variable-required'])
    })

    void it('compiles a user task without any zeebe extension', async () => {
      const node = only(await compileBpmn(around('<bpmn:userTask id="x" />'))).nodes.get('x')
      assert.equal(node?.type, 'userTask')
      assert.deepEqual(node.userTask, {})
    })

    void it('requires a called process id on call activities', async () => {
      const problems = expectProblems(await compileBpmn(around('<bpmn:callActivity id="x" />')))
      assert.deepEqual(rules(problems), ['called-element-required'])
    })

    void it('rejects a mapping target that is not a variable path', async () => {
      const problems = expectProblems(
        await compileBpmn(
          around(
            '<bpmn:task id="x"><bpmn:extensionElements><zeebe:ioMapping><zeebe:input source="=1" target="not valid" /></zeebe:ioMapping></bpmn:extensionElements></bpmn:task>',
          ),
        ),
      )
      assert.deepEqual(rules(problems), ['mapping-target-invalid'])
    })

    void it('reports invalid FEEL naming the element and attribute', async () => {
      const problems = expectProblems(
        await compileBpmn(
          around(
            '<bpmn:serviceTask id="x"><bpmn:extensionElements><zeebe:taskDefinition type="=a +* (" /></bpmn:extensionElements></bpmn:serviceTask>',
          ),
        ),
      )
      assert.deepEqual(rules(problems), ['feel-syntax'])
      assert.equal(problems[0]!.elementId, 'x')
      assert.match(problems[0]!.message, /zeebe:taskDefinition type/)
    })
  })

  void describe('sequence flows and gateways', () => {
    const gateway = (kind: string, flows: string, defaultFlow = ''): string =>
      bpmn(`<bpmn:startEvent id="s" />
<bpmn:${kind} id="g"${defaultFlow ? ` default="${defaultFlow}"` : ''} />
<bpmn:endEvent id="a" />
<bpmn:endEvent id="b" />
<bpmn:sequenceFlow id="in" sourceRef="s" targetRef="g" />
${flows}`)

    void it('compiles conditions with and without the leading =', async () => {
      const process = only(
        await compileBpmn(
          gateway(
            'exclusiveGateway',
            `<bpmn:sequenceFlow id="toA" sourceRef="g" targetRef="a"><bpmn:conditionExpression>=x &gt; 1</bpmn:conditionExpression></bpmn:sequenceFlow>
<bpmn:sequenceFlow id="toB" sourceRef="g" targetRef="b"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">x &lt;= 1</bpmn:conditionExpression></bpmn:sequenceFlow>`,
          ),
        ),
      )
      assert.equal(process.flows.get('toA')?.condition?.source, 'x > 1')
      assert.equal(process.flows.get('toB')?.condition?.source, 'x <= 1')
    })

    void it('rejects conditions in other languages', async () => {
      const problems = expectProblems(
        await compileBpmn(
          gateway(
            'exclusiveGateway',
            `<bpmn:sequenceFlow id="toA" sourceRef="g" targetRef="a"><bpmn:conditionExpression language="javascript">x &gt; 1</bpmn:conditionExpression></bpmn:sequenceFlow>
<bpmn:sequenceFlow id="toB" sourceRef="g" targetRef="b"><bpmn:conditionExpression>\${x &lt;= 1}</bpmn:conditionExpression></bpmn:sequenceFlow>`,
          ),
        ),
      )
      assert.deepEqual(
        problems.map((p) => [p.rule, p.elementId]),
        [
          ['condition-language-unsupported', 'toA'],
          ['condition-language-unsupported', 'toB'],
        ],
      )
    })

    for (const kind of ['exclusiveGateway', 'inclusiveGateway']) {
      void it(`requires a condition or default on each outgoing flow of an ${kind}`, async () => {
        const problems = expectProblems(
          await compileBpmn(
            gateway(
              kind,
              `<bpmn:sequenceFlow id="toA" sourceRef="g" targetRef="a"><bpmn:conditionExpression>=x</bpmn:conditionExpression></bpmn:sequenceFlow>
<bpmn:sequenceFlow id="toB" sourceRef="g" targetRef="b" />`,
            ),
          ),
        )
        assert.deepEqual(
          problems.map((p) => [p.rule, p.elementId]),
          [['gateway-flow-condition-required', 'toB']],
        )
      })
    }

    void it('accepts a default flow, and warns about a condition on it', async () => {
      const { processes, warnings } = expectOk(
        await compileBpmn(
          gateway(
            'exclusiveGateway',
            `<bpmn:sequenceFlow id="toA" sourceRef="g" targetRef="a"><bpmn:conditionExpression>=x</bpmn:conditionExpression></bpmn:sequenceFlow>
<bpmn:sequenceFlow id="toB" sourceRef="g" targetRef="b"><bpmn:conditionExpression>=ignored</bpmn:conditionExpression></bpmn:sequenceFlow>`,
            'toB',
          ),
        ),
      )
      assert.equal(processes[0]?.nodes.get('g')?.defaultFlow, 'toB')
      assert.equal(processes[0]?.flows.get('toB')?.condition, undefined)
      assert.deepEqual(
        warnings.map((w) => [w.rule, w.elementId]),
        [['default-flow-condition-ignored', 'toB']],
      )
    })

    void it('rejects a default flow that is not an outgoing flow', async () => {
      const problems = expectProblems(
        await compileBpmn(
          gateway(
            'exclusiveGateway',
            '<bpmn:sequenceFlow id="toA" sourceRef="g" targetRef="a" />',
            'in',
          ),
        ),
      )
      assert.deepEqual(
        problems.map((p) => [p.rule, p.elementId]),
        [
          ['gateway-flows-invalid', 'g'],
          ['default-flow-invalid', 'g'],
          ['flow-node-unreachable', 'b'],
        ],
      )
    })

    void it('warns that conditions after a parallel gateway are ignored', async () => {
      const { processes, warnings } = expectOk(
        await compileBpmn(
          gateway(
            'parallelGateway',
            `<bpmn:sequenceFlow id="toA" sourceRef="g" targetRef="a"><bpmn:conditionExpression>=x</bpmn:conditionExpression></bpmn:sequenceFlow>
<bpmn:sequenceFlow id="toB" sourceRef="g" targetRef="b" />`,
          ),
        ),
      )
      assert.equal(processes[0]?.flows.get('toA')?.condition, undefined)
      assert.deepEqual(
        warnings.map((w) => w.rule),
        ['parallel-gateway-condition-ignored'],
      )
    })

    void it('rejects a converging gateway that splits', async () => {
      const problems = expectProblems(
        await compileBpmn(
          gateway(
            'parallelGateway',
            `<bpmn:sequenceFlow id="toA" sourceRef="g" targetRef="a" />
<bpmn:sequenceFlow id="toB" sourceRef="g" targetRef="b" />`,
          ).replace('id="g"', 'id="g" gatewayDirection="Converging"'),
        ),
      )
      assert.deepEqual(rules(problems), ['gateway-direction-mismatch'])
    })

    void it('reports a missing flow source and target', async () => {
      const problems = expectProblems(
        await compileBpmn(
          bpmn(`<bpmn:startEvent id="s" />
<bpmn:sequenceFlow id="f1" sourceRef="nowhere" targetRef="s" />
<bpmn:sequenceFlow id="f2" sourceRef="s" />`),
        ),
      )
      assert.deepEqual(
        problems.map((p) => [p.rule, p.elementId, p.line]),
        [
          ['flow-source-missing', 'f1', 5],
          ['flow-target-missing', 'f2', 6],
        ],
      )
    })
  })

  void describe('isExecutable', () => {
    const two = (first: string, second: string): string =>
      [
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">',
        `<bpmn:process id="one" ${first}><bpmn:startEvent id="s1" /></bpmn:process>`,
        `<bpmn:process id="two" ${second}><bpmn:startEvent id="s2" /></bpmn:process>`,
        '</bpmn:definitions>',
      ].join('\n')

    void it('compiles only the executable processes', async () => {
      const { processes, warnings } = expectOk(
        await compileBpmn(two('isExecutable="true"', 'isExecutable="false"')),
      )
      assert.deepEqual(
        processes.map((p) => p.id),
        ['one'],
      )
      assert.deepEqual(
        warnings.map((w) => [w.rule, w.elementId]),
        [['process-skipped', 'two']],
      )
    })

    void it('compiles all processes when none is executable, with a warning each', async () => {
      const { processes, warnings } = expectOk(await compileBpmn(two('isExecutable="false"', '')))
      assert.deepEqual(
        processes.map((p) => p.id),
        ['one', 'two'],
      )
      assert.deepEqual(
        warnings.map((w) => w.rule),
        ['process-not-executable', 'process-not-executable'],
      )
    })
  })
})
