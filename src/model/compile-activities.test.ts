import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { constructsOf } from './engine-constructs.ts'
import { engineSupport } from './engine-support.ts'
import { compileBpmn } from './index.ts'
import type { CompileResult, ExecutableProcess, FlowNode } from './types.ts'

const allow = { allowUnsupported: true } as const

function bpmn(body: string, roots = ''): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="http://bpmn.io/schema/bpmn">',
    '<bpmn:process id="p" isExecutable="true">',
    body,
    '</bpmn:process>',
    roots,
    '</bpmn:definitions>',
  ].join('\n')
}

/** start -> (element `x`) -> end, plus extra elements. */
function around(element: string, extra = '', roots = ''): string {
  return bpmn(
    `<bpmn:startEvent id="s" />
${element}
<bpmn:endEvent id="e" />
<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="x" />
<bpmn:sequenceFlow id="f2" sourceRef="x" targetRef="e" />
${extra}`,
    roots,
  )
}

const correlated =
  '<bpmn:message id="m" name="paid"><bpmn:extensionElements><zeebe:subscription correlationKey="=orderId" /></bpmn:extensionElements></bpmn:message>'
const timerCatch = (id: string): string =>
  `<bpmn:intermediateCatchEvent id="${id}"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>`

function only(result: CompileResult): ExecutableProcess {
  if (!result.ok)
    assert.fail(`expected ok, got problems: ${JSON.stringify(result.problems, null, 2)}`)
  assert.equal(result.processes.length, 1)
  return result.processes[0]!
}

function node(process: ExecutableProcess, id: string): FlowNode {
  const found = process.nodes.get(id)
  assert.ok(found, `node ${id}`)
  return found
}

async function problemsOf(xml: string): Promise<string[]> {
  const result = await compileBpmn(xml, allow)
  if (result.ok) assert.fail('expected the model to be rejected')
  return result.problems.map((p) => `${p.rule} ${p.elementId ?? ''}`)
}

void describe('model/compile-bpmn activities and scopes', () => {
  void describe('boundary events', () => {
    const boundaries = (extra = ''): string =>
      around(
        '<bpmn:userTask id="x" />',
        `<bpmn:boundaryEvent id="late" attachedToRef="x" cancelActivity="false"><bpmn:timerEventDefinition><bpmn:timeDuration>P1D</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
<bpmn:boundaryEvent id="paid" attachedToRef="x"><bpmn:messageEventDefinition messageRef="m" /></bpmn:boundaryEvent>
<bpmn:endEvent id="e2" />
<bpmn:sequenceFlow id="f3" sourceRef="late" targetRef="e2" />
<bpmn:sequenceFlow id="f4" sourceRef="paid" targetRef="e2" />
${extra}`,
        correlated,
      )

    void it('attaches boundary events to their activity, in document order', async () => {
      const process = only(await compileBpmn(boundaries(), allow))
      assert.deepEqual(node(process, 'x').boundaryEventIds, ['late', 'paid'])
      const late = node(process, 'late')
      assert.equal(late.type, 'boundaryEvent')
      assert.equal(late.attachedToRef, 'x')
      assert.equal(late.cancelActivity, false)
      assert.equal(late.scopeId, 'p')
      assert.equal(node(process, 'paid').cancelActivity, true)
      assert.deepEqual(constructsOf(late), ['boundaryEvent', 'boundaryEvent:timer'])
    })

    void it('needs an activity in its scope, no incoming flow and an outgoing flow', async () => {
      assert.deepEqual(
        await problemsOf(
          around(
            '<bpmn:exclusiveGateway id="x" />',
            `<bpmn:boundaryEvent id="b" attachedToRef="x"><bpmn:timerEventDefinition><bpmn:timeDuration>P1D</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
<bpmn:sequenceFlow id="f3" sourceRef="b" targetRef="e" />`,
          ),
        ),
        ['gateway-flows-invalid x', 'boundary-event-attachment-invalid b'],
      )
      assert.deepEqual(
        await problemsOf(
          around(
            '<bpmn:task id="x" />',
            `<bpmn:boundaryEvent id="b" attachedToRef="nowhere"><bpmn:timerEventDefinition><bpmn:timeDuration>P1D</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
<bpmn:sequenceFlow id="f3" sourceRef="b" targetRef="e" />`,
          ),
        ),
        ['boundary-event-attachment-invalid b'],
      )
      assert.deepEqual(
        (
          await problemsOf(
            boundaries('<bpmn:sequenceFlow id="f5" sourceRef="s" targetRef="late" />'),
          )
        ).sort(),
        ['boundary-event-incoming-flow late'],
      )
      assert.deepEqual(
        await problemsOf(
          boundaries().replace('<bpmn:sequenceFlow id="f4" sourceRef="paid" targetRef="e2" />', ''),
        ),
        ['boundary-event-outgoing-flow-required paid'],
      )
    })
  })

  void describe('event subprocesses and start events', () => {
    const eventSubProcess = (start: string, body = ''): string =>
      around(
        '<bpmn:task id="x" />',
        `<bpmn:subProcess id="esp" triggeredByEvent="true">
  ${start}
  <bpmn:endEvent id="espEnd" />
  <bpmn:sequenceFlow id="ef" sourceRef="espStart" targetRef="espEnd" />
  ${body}
</bpmn:subProcess>`,
        correlated + '<bpmn:error id="err" errorCode="E" />',
      )

    void it('compiles an event subprocess and lists it on its scope', async () => {
      const process = only(
        await compileBpmn(
          eventSubProcess(
            '<bpmn:startEvent id="espStart" isInterrupting="false"><bpmn:messageEventDefinition messageRef="m" /></bpmn:startEvent>',
          ),
          allow,
        ),
      )
      assert.deepEqual(process.eventSubProcessIds, ['esp'])
      assert.deepEqual(process.startEventIds, ['s'])
      assert.equal(process.startEventId, 's')
      const esp = node(process, 'esp')
      assert.equal(esp.triggeredByEvent, true)
      assert.equal(esp.startEventId, 'espStart')
      assert.deepEqual(esp.incoming, [])
      assert.equal(node(process, 'espStart').isInterrupting, false)
      assert.deepEqual(constructsOf(esp), ['subProcess', 'eventSubProcess'])

      const nested = only(
        await compileBpmn(
          around(`<bpmn:subProcess id="x">
  <bpmn:startEvent id="in" />
  <bpmn:endEvent id="out" />
  <bpmn:sequenceFlow id="sf" sourceRef="in" targetRef="out" />
  <bpmn:subProcess id="inner" triggeredByEvent="true">
    <bpmn:startEvent id="espStart"><bpmn:errorEventDefinition /></bpmn:startEvent>
    <bpmn:endEvent id="espEnd" />
    <bpmn:sequenceFlow id="ef" sourceRef="espStart" targetRef="espEnd" />
  </bpmn:subProcess>
</bpmn:subProcess>`),
          allow,
        ),
      )
      assert.deepEqual(node(nested, 'x').eventSubProcessIds, ['inner'])
      assert.deepEqual(nested.eventSubProcessIds, [])
      assert.equal(node(nested, 'espStart').isInterrupting, true)
    })

    void it('needs exactly one start event with a trigger and no sequence flows', async () => {
      assert.deepEqual(await problemsOf(eventSubProcess('<bpmn:startEvent id="espStart" />')), [
        'event-subprocess-start-trigger-required espStart',
      ])
      assert.deepEqual(
        await problemsOf(
          eventSubProcess(
            '<bpmn:startEvent id="espStart"><bpmn:errorEventDefinition /></bpmn:startEvent>',
            '<bpmn:startEvent id="second"><bpmn:errorEventDefinition /></bpmn:startEvent>',
          ),
        ),
        ['event-subprocess-start-multiple esp'],
      )
      assert.deepEqual(
        await problemsOf(
          eventSubProcess(
            '<bpmn:startEvent id="espStart" isInterrupting="false"><bpmn:errorEventDefinition errorRef="err" /></bpmn:startEvent>',
          ),
        ),
        ['event-subprocess-start-must-interrupt espStart'],
      )
      assert.deepEqual(
        await problemsOf(
          eventSubProcess(
            '<bpmn:startEvent id="espStart"><bpmn:errorEventDefinition /></bpmn:startEvent>',
          ).replace(
            '</bpmn:process>',
            '<bpmn:sequenceFlow id="in" sourceRef="x" targetRef="esp" /></bpmn:process>',
          ),
        ),
        ['event-subprocess-flow-not-allowed esp'],
      )
    })

    void it('starts a process with any start event but at most one none start', async () => {
      assert.deepEqual(await problemsOf(bpmn('<bpmn:task id="t" />')), ['start-event-required p'])
      const process = only(
        await compileBpmn(
          bpmn(
            `<bpmn:startEvent id="a"><bpmn:timerEventDefinition><bpmn:timeCycle>R/P1D</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:startEvent>
<bpmn:startEvent id="b" />
<bpmn:endEvent id="e" />
<bpmn:sequenceFlow id="f1" sourceRef="a" targetRef="e" />
<bpmn:sequenceFlow id="f2" sourceRef="b" targetRef="e" />`,
          ),
          allow,
        ),
      )
      assert.deepEqual(process.startEventIds, ['a', 'b'])
      assert.equal(process.startEventId, 'b')
    })
  })

  void describe('receive tasks and event-based gateways', () => {
    void it('compiles a receive task waiting for a message', async () => {
      const process = only(
        await compileBpmn(
          around('<bpmn:receiveTask id="x" messageRef="m" />', '', correlated),
          allow,
        ),
      )
      const x = node(process, 'x')
      assert.equal(x.type, 'receiveTask')
      assert.equal(x.eventDefinition?.type, 'message')
      assert.equal(x.instantiate, undefined)
      assert.deepEqual(
        await problemsOf(
          around(
            '<bpmn:receiveTask id="x" messageRef="m" />',
            '',
            '<bpmn:message id="m" name="paid" />',
          ),
        ),
        ['message-correlation-key-required x'],
      )
    })

    void it('lets an instantiating receive task start the process, without incoming flows', async () => {
      const xml = bpmn(
        `<bpmn:receiveTask id="r" messageRef="m" instantiate="true" />
<bpmn:endEvent id="e" />
<bpmn:sequenceFlow id="f" sourceRef="r" targetRef="e" />`,
        '<bpmn:message id="m" name="order" />',
      )
      const process = only(await compileBpmn(xml, allow))
      assert.equal(node(process, 'r').instantiate, true)
      assert.equal(process.startEventId, '')
      assert.deepEqual(
        await problemsOf(
          xml.replace(
            '<bpmn:endEvent id="e" />',
            '<bpmn:endEvent id="e" /><bpmn:startEvent id="s" /><bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="r" />',
          ),
        ),
        ['instantiate-incoming-flow r'],
      )
    })

    const gateway = (targets: string, flows: string): string =>
      bpmn(
        `<bpmn:startEvent id="s" />
<bpmn:eventBasedGateway id="g" />
${targets}
<bpmn:endEvent id="e" />
<bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="g" />
${flows}`,
        correlated,
      )

    void it('leads only to catch events and receive tasks', async () => {
      const valid = gateway(
        `${timerCatch('t')}<bpmn:receiveTask id="r" messageRef="m" />`,
        `<bpmn:sequenceFlow id="f1" sourceRef="g" targetRef="t" />
<bpmn:sequenceFlow id="f2" sourceRef="g" targetRef="r" />
<bpmn:sequenceFlow id="f3" sourceRef="t" targetRef="e" />
<bpmn:sequenceFlow id="f4" sourceRef="r" targetRef="e" />`,
      )
      const process = only(await compileBpmn(valid, allow))
      assert.equal(node(process, 'g').type, 'eventBasedGateway')
      assert.deepEqual(node(process, 'g').outgoing, ['f1', 'f2'])

      assert.deepEqual(
        await problemsOf(
          valid.replace('<bpmn:receiveTask id="r" messageRef="m" />', '<bpmn:task id="r" />'),
        ),
        ['event-gateway-target-invalid f2'],
      )
      assert.deepEqual(
        await problemsOf(
          gateway(
            timerCatch('t'),
            `<bpmn:sequenceFlow id="f1" sourceRef="g" targetRef="t" /><bpmn:sequenceFlow id="f3" sourceRef="t" targetRef="e" />`,
          ),
        ),
        ['event-gateway-outgoing-flows g'],
      )
      assert.deepEqual(
        await problemsOf(
          valid.replace(
            '<bpmn:sequenceFlow id="f1" sourceRef="g" targetRef="t" />',
            '<bpmn:sequenceFlow id="f1" sourceRef="g" targetRef="t"><bpmn:conditionExpression>=x</bpmn:conditionExpression></bpmn:sequenceFlow>',
          ),
        ),
        ['event-gateway-condition-not-allowed f1'],
      )
    })
  })

  void describe('loops', () => {
    const multiInstance = (inner: string, attributes = ''): string =>
      around(
        `<bpmn:serviceTask id="x"><bpmn:extensionElements><zeebe:taskDefinition type="mail" /></bpmn:extensionElements>
<bpmn:multiInstanceLoopCharacteristics ${attributes}>${inner}</bpmn:multiInstanceLoopCharacteristics></bpmn:serviceTask>`,
      )
    const zeebeLoop = (attributes: string): string =>
      `<bpmn:extensionElements><zeebe:loopCharacteristics ${attributes} /></bpmn:extensionElements>`

    void it('compiles a multi-instance activity over a collection', async () => {
      const process = only(
        await compileBpmn(
          multiInstance(
            `${zeebeLoop('inputCollection="=customers" inputElement="customer" outputCollection="results" outputElement="=result"')}
<bpmn:completionCondition xsi:type="bpmn:tFormalExpression">=numberOfCompletedInstances &gt;= 2</bpmn:completionCondition>`,
            'isSequential="true" behavior="None"',
          ),
          allow,
        ),
      )
      const mi = node(process, 'x').multiInstance
      assert.ok(mi)
      assert.equal(mi.isSequential, true)
      assert.equal(mi.inputCollection?.source, 'customers')
      assert.equal(mi.inputElement, 'customer')
      assert.equal(mi.outputCollection, 'results')
      assert.equal(mi.outputElement?.source, 'result')
      assert.equal(mi.completionCondition?.source, 'numberOfCompletedInstances >= 2')
      assert.equal(mi.behavior, 'None')
      assert.equal(mi.loopCardinality, undefined)
      assert.deepEqual(constructsOf(node(process, 'x')), ['serviceTask', 'multiInstance'])

      const counted = only(
        await compileBpmn(multiInstance('<bpmn:loopCardinality>3</bpmn:loopCardinality>'), allow),
      )
      const byCount = node(counted, 'x').multiInstance
      assert.equal(byCount?.isSequential, false)
      assert.equal(byCount.loopCardinality?.source, '3')
      assert.equal(byCount.behavior, undefined)
    })

    void it('rejects a multi-instance without input, or with a negative cardinality', async () => {
      assert.deepEqual(await problemsOf(multiInstance('')), ['multi-instance-input-required x'])
      assert.deepEqual(
        await problemsOf(multiInstance('<bpmn:loopCardinality>-1</bpmn:loopCardinality>')),
        ['multi-instance-cardinality-invalid x'],
      )
      assert.deepEqual(
        await problemsOf(multiInstance(zeebeLoop('inputCollection="=items" outputElement="=x"'))),
        ['multi-instance-output-incomplete x'],
      )
      assert.deepEqual(
        await problemsOf(
          multiInstance(
            '<bpmn:loopCardinality>3</bpmn:loopCardinality><bpmn:completionCondition xsi:type="bpmn:tFormalExpression">23</bpmn:completionCondition>',
          ),
        ),
        ['condition-not-boolean x'],
      )
    })

    void it('compiles a standard loop and rejects a negative loopMaximum', async () => {
      const loop = (attributes: string): string =>
        around(
          `<bpmn:task id="x"><bpmn:standardLoopCharacteristics ${attributes}><bpmn:loopCondition>count &lt; 3</bpmn:loopCondition></bpmn:standardLoopCharacteristics></bpmn:task>`,
        )
      const process = only(await compileBpmn(loop('testBefore="true" loopMaximum="5"'), allow))
      const standardLoop = node(process, 'x').standardLoop
      assert.equal(standardLoop?.testBefore, true)
      assert.equal(standardLoop.loopMaximum, 5)
      assert.equal(standardLoop.loopCondition?.source, 'count < 3')
      assert.deepEqual(await problemsOf(loop('loopMaximum="-1"')), ['loop-maximum-invalid x'])
    })
  })

  void describe('ad-hoc subprocesses and token quantities', () => {
    void it('compiles an ad-hoc subprocess whose activities have no flows', async () => {
      const xml =
        around(`<bpmn:adHocSubProcess id="x" ordering="Sequential" cancelRemainingInstances="false">
  <bpmn:extensionElements><zeebe:adHoc activeElementsCollection="=tools" /></bpmn:extensionElements>
  <bpmn:task id="a" />
  <bpmn:task id="b" />
  <bpmn:completionCondition xsi:type="bpmn:tFormalExpression">=done</bpmn:completionCondition>
</bpmn:adHocSubProcess>`)
      const result = await compileBpmn(xml, allow)
      const process = only(result)
      assert.ok(result.ok)
      assert.deepEqual(result.warnings, [])
      const x = node(process, 'x')
      assert.equal(x.type, 'subProcess')
      assert.equal(x.adHoc?.ordering, 'Sequential')
      assert.equal(x.adHoc.cancelRemainingInstances, false)
      assert.equal(x.adHoc.completionCondition?.source, 'done')
      assert.equal(x.adHoc.activeElementsCollection?.source, 'tools')
      assert.deepEqual(x.childNodeIds, ['a', 'b'])
      assert.equal(x.startEventId, undefined)

      assert.deepEqual(
        await problemsOf(
          around(
            '<bpmn:adHocSubProcess id="x"><bpmn:startEvent id="in" /><bpmn:task id="a" /></bpmn:adHocSubProcess>',
          ),
        ),
        ['ad-hoc-subprocess-event-not-allowed x'],
      )
      assert.deepEqual(await problemsOf(around('<bpmn:adHocSubProcess id="x" />')), [
        'ad-hoc-subprocess-empty x',
      ])
    })

    void it('runs activities with one token in and one out', async () => {
      assert.deepEqual(await problemsOf(around('<bpmn:task id="x" completionQuantity="0" />')), [
        'activity-quantity-invalid x',
      ])
      assert.deepEqual(await problemsOf(around('<bpmn:task id="x" startQuantity="2" />')), [
        'activity-quantity-unsupported x',
      ])
    })
  })

  void describe('engine support', () => {
    const cases: [string, string, string, string][] = [
      [
        'an ad-hoc subprocess',
        around('<bpmn:adHocSubProcess id="x"><bpmn:task id="a" /></bpmn:adHocSubProcess>'),
        'x',
        'ad-hoc subprocess',
      ],
      [
        'a transaction',
        around(
          '<bpmn:transaction id="x"><bpmn:startEvent id="ts" /><bpmn:endEvent id="te" /><bpmn:sequenceFlow id="tf" sourceRef="ts" targetRef="te" /></bpmn:transaction>',
        ),
        'x',
        'transaction subprocess',
      ],
      [
        'a standard loop',
        around(
          '<bpmn:task id="x"><bpmn:standardLoopCharacteristics><bpmn:loopCondition>=false</bpmn:loopCondition></bpmn:standardLoopCharacteristics></bpmn:task>',
        ),
        'x',
        'looping task',
      ],
      [
        'a compensation handler',
        around('<bpmn:task id="x" />', '<bpmn:task id="h" isForCompensation="true" />'),
        'h',
        'task (compensation handler)',
      ],
    ]
    for (const [what, xml, id, kind] of cases) {
      void it(`compiles ${what}, and rejects it while the engine does not run it`, async () => {
        const process = only(await compileBpmn(xml, allow))
        const missing = constructsOf(node(process, id)).filter((c) => !engineSupport.has(c))
        const result = await compileBpmn(xml)
        if (missing.length === 0) {
          assert.ok(result.ok)
          return
        }
        assert.ok(!result.ok)
        assert.deepEqual(
          result.problems.map((p) => [p.rule, p.elementId]),
          [['element-unsupported', id]],
        )
        assert.ok(
          result.problems[0]!.message.startsWith(`${kind} '${id}' is not executable by Baton yet`),
          result.problems[0]!.message,
        )
      })
    }
  })

  void describe('inclusive joins', () => {
    void it('counts boundary events, their activity and link jumps as sources', async () => {
      const process = only(
        await compileBpmn(
          bpmn(
            `<bpmn:startEvent id="s" />
<bpmn:parallelGateway id="fork" />
<bpmn:task id="a" />
<bpmn:boundaryEvent id="late" attachedToRef="guarded"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
<bpmn:task id="guarded" />
<bpmn:endEvent id="guardedEnd" />
<bpmn:intermediateThrowEvent id="jump"><bpmn:linkEventDefinition name="l" /></bpmn:intermediateThrowEvent>
<bpmn:intermediateCatchEvent id="land"><bpmn:linkEventDefinition name="l" /></bpmn:intermediateCatchEvent>
<bpmn:inclusiveGateway id="join" />
<bpmn:endEvent id="e" />
<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="fork" />
<bpmn:sequenceFlow id="f2" sourceRef="fork" targetRef="a" />
<bpmn:sequenceFlow id="f3" sourceRef="fork" targetRef="guarded" />
<bpmn:sequenceFlow id="f4" sourceRef="guarded" targetRef="guardedEnd" />
<bpmn:sequenceFlow id="f5" sourceRef="late" targetRef="jump" />
<bpmn:sequenceFlow id="f6" sourceRef="land" targetRef="join" />
<bpmn:sequenceFlow id="f7" sourceRef="a" targetRef="join" />
<bpmn:sequenceFlow id="f8" sourceRef="join" targetRef="e" />`,
          ),
          allow,
        ),
      )
      assert.deepEqual([...(process.inclusiveJoinSources.get('join') ?? [])].sort(), [
        'a',
        'fork',
        'guarded',
        'jump',
        'land',
        'late',
        's',
      ])
    })
  })
})
