import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { compileBpmn } from './index.ts'
import type { CompileResult, ExecutableProcess, FlowNode, ModelProblem } from './types.ts'

const allow = { allowUnsupported: true } as const

/** A definitions document: process `p` around `body`, then root elements (messages, errors ...). */
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
function around(element: string, roots = '', extra = ''): string {
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

const message = (id: string, name: string, key?: string): string =>
  `<bpmn:message id="${id}" name="${name}">${key === undefined ? '' : `<bpmn:extensionElements><zeebe:subscription correlationKey="${key}" /></bpmn:extensionElements>`}</bpmn:message>`
const job =
  '<bpmn:extensionElements><zeebe:taskDefinition type="notify" /></bpmn:extensionElements>'
const timer = (kind: string, value: string): string =>
  `<bpmn:timerEventDefinition><bpmn:${kind} xsi:type="bpmn:tFormalExpression">${value}</bpmn:${kind}></bpmn:timerEventDefinition>`

function expectOk(result: CompileResult): {
  processes: readonly ExecutableProcess[]
  warnings: readonly ModelProblem[]
} {
  if (!result.ok)
    assert.fail(`expected ok, got problems: ${JSON.stringify(result.problems, null, 2)}`)
  return result
}

function only(result: CompileResult): ExecutableProcess {
  const { processes } = expectOk(result)
  assert.equal(processes.length, 1)
  return processes[0]!
}

function node(process: ExecutableProcess, id: string): FlowNode {
  const found = process.nodes.get(id)
  assert.ok(found, `node ${id}`)
  return found
}

/** The problems of a rejected model, as `rule elementId`. */
async function problemsOf(xml: string): Promise<string[]> {
  const result = await compileBpmn(xml, allow)
  if (result.ok) assert.fail('expected the model to be rejected')
  return result.problems.map((p) => `${p.rule} ${p.elementId ?? ''}`)
}

async function messageOf(xml: string, rule: string): Promise<string> {
  const result = await compileBpmn(xml, allow)
  if (result.ok) assert.fail('expected the model to be rejected')
  const problem = result.problems.find((p) => p.rule === rule)
  assert.ok(problem, `no ${rule} in ${JSON.stringify(result.problems)}`)
  return problem.message
}

void describe('model/compile-bpmn events', () => {
  void describe('timers', () => {
    void it('compiles date, duration and cycle timers, literal or FEEL', async () => {
      const cases: [string, string, string][] = [
        ['timeDate', '2025-03-01T09:00:00Z', 'date'],
        ['timeDuration', 'PT15M', 'duration'],
        ['timeCycle', 'R3/PT10M', 'cycle'],
        ['timeCycle', '0 0 9 * * MON-FRI', 'cycle'],
      ]
      for (const [property, value, kind] of cases) {
        const process = only(
          await compileBpmn(
            around(
              `<bpmn:intermediateCatchEvent id="x">${timer(property, value)}</bpmn:intermediateCatchEvent>`,
            ),
            allow,
          ),
        )
        assert.deepEqual(node(process, 'x').eventDefinition, {
          type: 'timer',
          timer: { kind, value: { kind: 'literal', value } },
        })
      }
      const feel = only(
        await compileBpmn(
          around(
            `<bpmn:intermediateCatchEvent id="x">${timer('timeDuration', '=delay')}</bpmn:intermediateCatchEvent>`,
          ),
          allow,
        ),
      )
      const definition = node(feel, 'x').eventDefinition
      assert.equal(definition?.type, 'timer')
      assert.equal(definition.timer.value.kind, 'feel')
    })

    void it('rejects a literal that does not parse, saying what is wrong', async () => {
      const text = await messageOf(
        around(
          `<bpmn:intermediateCatchEvent id="x" name="Wait">${timer('timeDate', '2016-06-01T14:37:44')}</bpmn:intermediateCatchEvent>`,
        ),
        'timer-invalid',
      )
      assert.match(text, /timeDate '2016-06-01T14:37:44' of intermediateCatchEvent "Wait" 'x'/)
      assert.match(text, /no offset/)
      assert.deepEqual(
        await problemsOf(
          around(
            `<bpmn:intermediateCatchEvent id="x">${timer('timeCycle', 'R2/PT1M/junk/more')}</bpmn:intermediateCatchEvent>`,
          ),
        ),
        ['timer-invalid x'],
      )
    })

    void it('requires exactly one of timeDate, timeDuration and timeCycle', async () => {
      assert.match(
        await messageOf(
          around(
            '<bpmn:intermediateCatchEvent id="x"><bpmn:timerEventDefinition /></bpmn:intermediateCatchEvent>',
          ),
          'timer-invalid',
        ),
        /has no timeDate, timeDuration or timeCycle/,
      )
      assert.match(
        await messageOf(
          around(
            '<bpmn:intermediateCatchEvent id="x"><bpmn:timerEventDefinition><bpmn:timeDate>2025-01-01</bpmn:timeDate><bpmn:timeDuration>PT1S</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>',
          ),
          'timer-invalid',
        ),
        /has timeDate and timeDuration/,
      )
    })
  })

  void describe('messages', () => {
    const catchEvent =
      '<bpmn:intermediateCatchEvent id="x" name="Paid"><bpmn:messageEventDefinition messageRef="m" /></bpmn:intermediateCatchEvent>'

    void it('compiles a message catch event with name and correlation key', async () => {
      const process = only(
        await compileBpmn(around(catchEvent, message('m', 'payment', '=orderId')), allow),
      )
      const definition = node(process, 'x').eventDefinition
      assert.equal(definition?.type, 'message')
      assert.deepEqual(definition.messageName, { kind: 'literal', value: 'payment' })
      assert.equal(definition.correlationKey?.kind, 'feel')
      const feelName = only(
        await compileBpmn(
          around(catchEvent, message('m', '=&quot;pay-&quot; + kind', '=id')),
          allow,
        ),
      )
      assert.equal(
        (node(feelName, 'x').eventDefinition as { messageName: { kind: string } }).messageName.kind,
        'feel',
      )
    })

    void it('requires a message name and a correlation key to catch inside a process', async () => {
      assert.deepEqual(await problemsOf(around(catchEvent, message('m', 'payment'))), [
        'message-correlation-key-required x',
      ])
      assert.deepEqual(await problemsOf(around(catchEvent, '<bpmn:message id="m" />')), [
        'message-name-required x',
      ])
      assert.deepEqual(
        await problemsOf(
          around(
            '<bpmn:intermediateCatchEvent id="x"><bpmn:messageEventDefinition /></bpmn:intermediateCatchEvent>',
          ),
        ),
        ['message-name-required x'],
      )
      assert.match(
        await messageOf(around(catchEvent), 'message-name-required'),
        /'m', which is not in the file/,
      )
    })

    void it('needs only a name on a message start event, and distinct names', async () => {
      const process = only(
        await compileBpmn(
          bpmn(
            `<bpmn:startEvent id="a"><bpmn:messageEventDefinition messageRef="m1" /></bpmn:startEvent>
<bpmn:startEvent id="b"><bpmn:messageEventDefinition messageRef="m2" /></bpmn:startEvent>
<bpmn:endEvent id="e" />
<bpmn:sequenceFlow id="f1" sourceRef="a" targetRef="e" />
<bpmn:sequenceFlow id="f2" sourceRef="b" targetRef="e" />`,
            message('m1', 'order') + message('m2', 'reorder'),
          ),
          allow,
        ),
      )
      assert.equal(process.startEventId, '')
      assert.deepEqual(process.startEventIds, ['a', 'b'])
      assert.equal(
        (node(process, 'a').eventDefinition as { correlationKey?: unknown }).correlationKey,
        undefined,
      )

      assert.deepEqual(
        await problemsOf(
          bpmn(
            `<bpmn:startEvent id="a"><bpmn:messageEventDefinition messageRef="m1" /></bpmn:startEvent>
<bpmn:startEvent id="b"><bpmn:messageEventDefinition messageRef="m2" /></bpmn:startEvent>`,
            message('m1', 'order') + message('m2', 'order'),
          ),
        ),
        ['message-start-name-duplicate b'],
      )
    })

    void it('sends a message from a throw event through a job', async () => {
      const process = only(
        await compileBpmn(
          around(
            `<bpmn:intermediateThrowEvent id="x">${job}<bpmn:messageEventDefinition /></bpmn:intermediateThrowEvent>`,
          ),
          allow,
        ),
      )
      const x = node(process, 'x')
      assert.deepEqual(x.job?.type, { kind: 'literal', value: 'notify' })
      assert.deepEqual(x.eventDefinition, {
        type: 'message',
        messageName: { kind: 'literal', value: '' },
      })
      assert.deepEqual(
        await problemsOf(
          bpmn(`<bpmn:startEvent id="s" /><bpmn:endEvent id="x"><bpmn:messageEventDefinition /></bpmn:endEvent>
<bpmn:sequenceFlow id="f" sourceRef="s" targetRef="x" />`),
        ),
        ['task-definition-required x'],
      )
    })
  })

  void describe('signals, errors and escalations', () => {
    void it('reads the signal name and requires one', async () => {
      const process = only(
        await compileBpmn(
          around(
            '<bpmn:intermediateThrowEvent id="x"><bpmn:signalEventDefinition signalRef="sig" /></bpmn:intermediateThrowEvent>',
            '<bpmn:signal id="sig" name="stop" />',
          ),
          allow,
        ),
      )
      assert.deepEqual(node(process, 'x').eventDefinition, {
        type: 'signal',
        signalName: { kind: 'literal', value: 'stop' },
      })
      assert.deepEqual(
        await problemsOf(
          around(
            '<bpmn:intermediateThrowEvent id="x"><bpmn:signalEventDefinition signalRef="sig" /></bpmn:intermediateThrowEvent>',
            '<bpmn:signal id="sig" />',
          ),
        ),
        ['signal-name-required x'],
      )
    })

    const boundaryModel = (definition: string, end: string, roots: string): string =>
      bpmn(
        `<bpmn:startEvent id="s" />
<bpmn:subProcess id="sub">
  <bpmn:startEvent id="subStart" />
  <bpmn:endEvent id="throw">${end}</bpmn:endEvent>
  <bpmn:sequenceFlow id="sf" sourceRef="subStart" targetRef="throw" />
</bpmn:subProcess>
<bpmn:boundaryEvent id="catch" attachedToRef="sub">${definition}</bpmn:boundaryEvent>
<bpmn:endEvent id="e" />
<bpmn:endEvent id="handled" />
<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="sub" />
<bpmn:sequenceFlow id="f2" sourceRef="sub" targetRef="e" />
<bpmn:sequenceFlow id="f3" sourceRef="catch" targetRef="handled" />`,
        roots,
      )

    void it('throws an error by code and catches it by code or all errors', async () => {
      const process = only(
        await compileBpmn(
          boundaryModel(
            '<bpmn:errorEventDefinition />',
            '<bpmn:errorEventDefinition errorRef="err" />',
            '<bpmn:error id="err" errorCode="PAYMENT_FAILED" />',
          ),
          allow,
        ),
      )
      assert.deepEqual(node(process, 'throw').eventDefinition, {
        type: 'error',
        errorCode: { kind: 'literal', value: 'PAYMENT_FAILED' },
      })
      assert.deepEqual(node(process, 'catch').eventDefinition, { type: 'error' })
      assert.deepEqual(node(process, 'sub').boundaryEventIds, ['catch'])
    })

    void it('requires an error code on an error end event', async () => {
      const text = await messageOf(
        boundaryModel(
          '<bpmn:errorEventDefinition />',
          '<bpmn:errorEventDefinition errorRef="err" />',
          '<bpmn:error id="err" />',
        ),
        'error-code-required',
      )
      assert.match(text, /endEvent 'throw' throws error 'err', which has no errorCode/)
      assert.deepEqual(
        await problemsOf(
          boundaryModel(
            '<bpmn:errorEventDefinition errorRef="nope" />',
            '<bpmn:errorEventDefinition errorRef="err" />',
            '<bpmn:error id="err" errorCode="E" />',
          ),
        ),
        ['error-reference-unresolved catch'],
      )
    })

    void it('throws and catches escalations the same way', async () => {
      const process = only(
        await compileBpmn(
          boundaryModel(
            '<bpmn:escalationEventDefinition escalationRef="esc" />',
            '<bpmn:escalationEventDefinition escalationRef="esc" />',
            '<bpmn:escalation id="esc" escalationCode="LATE" />',
          ),
          allow,
        ),
      )
      assert.deepEqual(node(process, 'throw').eventDefinition, {
        type: 'escalation',
        escalationCode: { kind: 'literal', value: 'LATE' },
      })
      assert.deepEqual(
        await problemsOf(
          boundaryModel(
            '<bpmn:escalationEventDefinition />',
            '<bpmn:escalationEventDefinition />',
            '',
          ),
        ),
        ['escalation-code-required throw'],
      )
    })

    void it('keeps error boundary events interrupting', async () => {
      assert.deepEqual(
        await problemsOf(
          boundaryModel(
            '<bpmn:errorEventDefinition />',
            '<bpmn:errorEventDefinition errorRef="err" />',
            '<bpmn:error id="err" errorCode="E" />',
          ).replace('attachedToRef="sub"', 'attachedToRef="sub" cancelActivity="false"'),
        ),
        ['boundary-event-must-interrupt catch'],
      )
    })
  })

  void describe('compensation', () => {
    const compensation = (throwDefinition: string, extra = ''): string =>
      bpmn(`<bpmn:startEvent id="s" />
<bpmn:task id="book" />
<bpmn:boundaryEvent id="cb" attachedToRef="book"><bpmn:compensateEventDefinition /></bpmn:boundaryEvent>
<bpmn:task id="cancel" isForCompensation="true" />
<bpmn:association id="a" sourceRef="cb" targetRef="cancel" />
<bpmn:intermediateThrowEvent id="undo">${throwDefinition}</bpmn:intermediateThrowEvent>
<bpmn:endEvent id="e" />
<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="book" />
<bpmn:sequenceFlow id="f2" sourceRef="book" targetRef="undo" />
<bpmn:sequenceFlow id="f3" sourceRef="undo" targetRef="e" />
${extra}`)

    void it('links the activity to its handler and compiles the throw', async () => {
      const process = only(
        await compileBpmn(
          compensation('<bpmn:compensateEventDefinition activityRef="book" />'),
          allow,
        ),
      )
      assert.equal(node(process, 'book').compensationHandlerId, 'cancel')
      assert.deepEqual(node(process, 'book').boundaryEventIds, ['cb'])
      assert.equal(node(process, 'cancel').isForCompensation, true)
      assert.deepEqual(node(process, 'undo').eventDefinition, {
        type: 'compensation',
        activityRef: 'book',
        waitForCompletion: true,
      })
      const all = only(
        await compileBpmn(
          compensation('<bpmn:compensateEventDefinition waitForCompletion="false" />'),
          allow,
        ),
      )
      assert.deepEqual(node(all, 'undo').eventDefinition, {
        type: 'compensation',
        waitForCompletion: false,
      })
    })

    void it('requires a handler, without sequence flows, in reach of the association', async () => {
      const withoutHandler = compensation('<bpmn:compensateEventDefinition />').replace(
        '<bpmn:association id="a" sourceRef="cb" targetRef="cancel" />',
        '',
      )
      assert.deepEqual(await problemsOf(withoutHandler), ['compensation-handler-missing cb'])
      assert.deepEqual(
        await problemsOf(
          compensation(
            '<bpmn:compensateEventDefinition />',
            '<bpmn:sequenceFlow id="f4" sourceRef="cancel" targetRef="e" />',
          ),
        ),
        ['compensation-handler-flow-not-allowed cancel'],
      )
      assert.deepEqual(
        await problemsOf(
          compensation('<bpmn:compensateEventDefinition />').replace(
            'isForCompensation="true"',
            '',
          ),
        ),
        // An ordinary task now: nothing leads to it either.
        ['flow-node-unreachable cancel', 'compensation-handler-invalid cb'],
      )
    })

    void it('compensates only activities of its own scope', async () => {
      const xml = compensation('<bpmn:compensateEventDefinition activityRef="inner" />').replace(
        '<bpmn:endEvent id="e" />',
        `<bpmn:endEvent id="e" />
<bpmn:subProcess id="sub"><bpmn:startEvent id="is" /><bpmn:task id="inner" /><bpmn:sequenceFlow id="if" sourceRef="is" targetRef="inner" /></bpmn:subProcess>`,
      )
      assert.ok((await problemsOf(xml)).includes('compensation-activity-invalid undo'))
    })
  })

  void describe('conditional, link, cancel and multiple events', () => {
    void it('compiles a condition with or without = and the zeebe conditional filter', async () => {
      const process = only(
        await compileBpmn(
          around(`<bpmn:intermediateCatchEvent id="x"><bpmn:conditionalEventDefinition>
<bpmn:extensionElements><zeebe:conditionalFilter variableNames="stock, reserved" variableEvents="create,update" /></bpmn:extensionElements>
<bpmn:condition xsi:type="bpmn:tFormalExpression">stock &lt; 10</bpmn:condition>
</bpmn:conditionalEventDefinition></bpmn:intermediateCatchEvent>`),
          allow,
        ),
      )
      const definition = node(process, 'x').eventDefinition
      assert.equal(definition?.type, 'conditional')
      assert.equal(definition.condition.source, 'stock < 10')
      assert.deepEqual(definition.variableNames, ['stock', 'reserved'])
      assert.deepEqual(definition.variableEvents, ['create', 'update'])
      assert.deepEqual(
        await problemsOf(
          around(
            '<bpmn:intermediateCatchEvent id="x"><bpmn:conditionalEventDefinition><bpmn:condition xsi:type="bpmn:tFormalExpression">23</bpmn:condition></bpmn:conditionalEventDefinition></bpmn:intermediateCatchEvent>',
          ),
        ),
        ['condition-not-boolean x'],
      )
    })

    const links = (catchName: string, extra = ''): string =>
      bpmn(`<bpmn:startEvent id="s" />
<bpmn:intermediateThrowEvent id="go"><bpmn:linkEventDefinition name="retry" /></bpmn:intermediateThrowEvent>
<bpmn:intermediateCatchEvent id="land"><bpmn:linkEventDefinition name="${catchName}" /></bpmn:intermediateCatchEvent>
<bpmn:endEvent id="e" />
<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="go" />
<bpmn:sequenceFlow id="f2" sourceRef="land" targetRef="e" />
${extra}`)

    void it('maps each link name of a scope to its catch event', async () => {
      const process = only(await compileBpmn(links('retry'), allow))
      assert.deepEqual([...(process.linkTargets ?? [])], [['p:retry', 'land']])
      assert.deepEqual(await problemsOf(links('other')), ['link-target-missing go'])
      assert.deepEqual(
        await problemsOf(
          links(
            'retry',
            `<bpmn:intermediateCatchEvent id="land2"><bpmn:linkEventDefinition name="retry" /></bpmn:intermediateCatchEvent>
<bpmn:sequenceFlow id="f3" sourceRef="land2" targetRef="e" />`,
          ),
        ),
        ['link-catch-duplicate land2'],
      )
      assert.deepEqual(
        await problemsOf(
          links('retry', '<bpmn:sequenceFlow id="f3" sourceRef="go" targetRef="e" />'),
        ),
        ['link-event-flow-invalid go'],
      )
    })

    const transaction = (end: string, boundaryOn = 'tx'): string =>
      bpmn(`<bpmn:startEvent id="s" />
<bpmn:transaction id="tx">
  <bpmn:startEvent id="ts" />
  <bpmn:endEvent id="te">${end}</bpmn:endEvent>
  <bpmn:sequenceFlow id="tf" sourceRef="ts" targetRef="te" />
</bpmn:transaction>
<bpmn:task id="t" />
<bpmn:boundaryEvent id="cancelled" attachedToRef="${boundaryOn}"><bpmn:cancelEventDefinition /></bpmn:boundaryEvent>
<bpmn:endEvent id="e" />
<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="tx" />
<bpmn:sequenceFlow id="f2" sourceRef="tx" targetRef="t" />
<bpmn:sequenceFlow id="f3" sourceRef="t" targetRef="e" />
<bpmn:sequenceFlow id="f4" sourceRef="cancelled" targetRef="e" />`)

    void it('allows cancel events only in and on transactions', async () => {
      const process = only(await compileBpmn(transaction('<bpmn:cancelEventDefinition />'), allow))
      assert.equal(node(process, 'tx').isTransaction, true)
      assert.equal(node(process, 'tx').type, 'subProcess')
      assert.deepEqual(node(process, 'te').eventDefinition, { type: 'cancel' })
      assert.deepEqual(node(process, 'cancelled').eventDefinition, { type: 'cancel' })
      assert.deepEqual(await problemsOf(transaction('', 't')), [
        'cancel-event-outside-transaction cancelled',
      ])
      assert.deepEqual(
        await problemsOf(
          bpmn(`<bpmn:startEvent id="s" /><bpmn:endEvent id="x"><bpmn:cancelEventDefinition /></bpmn:endEvent>
<bpmn:sequenceFlow id="f" sourceRef="s" targetRef="x" />`),
        ),
        ['cancel-event-outside-transaction x'],
      )
    })

    void it('compiles every definition of a multiple catch, and the first of others with a warning', async () => {
      const multiple = expectOk(
        await compileBpmn(
          around(
            `<bpmn:intermediateCatchEvent id="x" parallelMultiple="true">${timer('timeDuration', 'PT1S')}<bpmn:signalEventDefinition signalRef="sig" /></bpmn:intermediateCatchEvent>`,
            '<bpmn:signal id="sig" name="go" />',
          ),
          allow,
        ),
      )
      const x = multiple.processes[0]?.nodes.get('x')
      assert.equal(x?.eventDefinition?.type, 'timer')
      assert.deepEqual(
        x?.eventDefinitions?.map((d) => d.type),
        ['timer', 'signal'],
      )
      assert.equal(x?.parallelMultiple, true)
      assert.deepEqual(multiple.warnings, [])
      // A parallel multiple boundary event would fire on one trigger: rejected.
      assert.deepEqual(
        await problemsOf(
          around(
            `<bpmn:task id="x" /><bpmn:boundaryEvent id="b" attachedToRef="x" parallelMultiple="true">${timer('timeDuration', 'PT1S')}<bpmn:signalEventDefinition signalRef="sig" /></bpmn:boundaryEvent>
<bpmn:sequenceFlow id="f3" sourceRef="b" targetRef="e" />`,
            '<bpmn:signal id="sig" name="go" />',
          ),
        ),
        ['element-unsupported b'],
      )
      // A multiple throw of a signal and an escalation runs only the signal, with a warning.
      const { processes, warnings } = expectOk(
        await compileBpmn(
          around(
            `<bpmn:intermediateThrowEvent id="x"><bpmn:signalEventDefinition signalRef="sig" /><bpmn:escalationEventDefinition escalationRef="esc" /></bpmn:intermediateThrowEvent>`,
            '<bpmn:signal id="sig" name="go" /><bpmn:escalation id="esc" escalationCode="late" />',
          ),
          allow,
        ),
      )
      assert.equal(processes[0]?.nodes.get('x')?.eventDefinition?.type, 'signal')
      assert.equal(processes[0]?.nodes.get('x')?.eventDefinitions, undefined)
      assert.deepEqual(
        warnings.map((w) => `${w.rule} ${w.elementId}`),
        ['event-definition-multiple x'],
      )
      // ...but every definition must be allowed where the event is.
      assert.deepEqual(
        await problemsOf(
          bpmn(`<bpmn:startEvent id="x">${timer('timeDuration', 'PT1S')}<bpmn:escalationEventDefinition /></bpmn:startEvent>
<bpmn:endEvent id="e" /><bpmn:sequenceFlow id="f" sourceRef="x" targetRef="e" />`),
        ),
        ['event-definition-not-allowed x'],
      )
    })

    void it('rejects triggers BPMN does not allow where the event is', async () => {
      assert.match(
        await messageOf(
          bpmn(`<bpmn:startEvent id="s" /><bpmn:endEvent id="x">${timer('timeDuration', 'PT1S')}</bpmn:endEvent>
<bpmn:sequenceFlow id="f" sourceRef="s" targetRef="x" />`),
          'event-definition-not-allowed',
        ),
        /endEvent 'x' is an end event with a timer trigger.*Use one of: terminate, error/,
      )
      assert.deepEqual(
        await problemsOf(
          around(`<bpmn:subProcess id="x">
  <bpmn:startEvent id="inner">${timer('timeDuration', 'PT1S')}</bpmn:startEvent>
</bpmn:subProcess>`),
        ),
        ['event-definition-not-allowed inner', 'start-event-required x'],
      )
      assert.deepEqual(await problemsOf(around('<bpmn:intermediateCatchEvent id="x" />')), [
        'event-definition-required x',
      ])
    })
  })
})
