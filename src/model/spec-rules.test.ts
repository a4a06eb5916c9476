/**
 * The BPMN specification's rules that plain BPMN files (no engine dialect) are held to, and the
 * ones every dialect is held to (betsy's constraint models, issue 3). Each model breaks one rule.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { dialectOf } from './dialect.ts'
import { compileBpmn } from './index.ts'
import type { ModelProblem } from './types.ts'

const bpmnNs = 'http://www.omg.org/spec/BPMN/20100524/MODEL'
const zeebeNs = 'http://camunda.org/schema/zeebe/1.0'

/** A plain BPMN file (or, with `zeebe`, a Camunda 8 one) holding `roots` at the top level. */
function file(roots: string, options: { zeebe?: boolean } = {}): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="${bpmnNs}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"${options.zeebe === true ? ` xmlns:zeebe="${zeebeNs}"` : ''} id="d" targetNamespace="t">
${roots}
</definitions>`
}

/** One executable process: start `s` -> body (element `x`) -> end `e`. */
function process(element: string, extra = '', options: { zeebe?: boolean } = {}): string {
  return file(
    `${extra}<process id="p" isExecutable="true">
<startEvent id="s"/>
${element}
<endEvent id="e"/>
<sequenceFlow id="f1" sourceRef="s" targetRef="x"/>
<sequenceFlow id="f2" sourceRef="x" targetRef="e"/>
</process>`,
    options,
  )
}

async function problemsOf(xml: string): Promise<readonly ModelProblem[]> {
  const result = await compileBpmn(xml)
  if (result.ok) assert.fail('expected the model to be rejected')
  return result.problems
}

/** Asserts the model is rejected by `rule` on `elementId` (and maybe by others too). */
async function rejects(xml: string, rule: string, elementId: string): Promise<void> {
  const problems = await problemsOf(xml)
  assert.ok(
    problems.some((p) => p.rule === rule && p.elementId === elementId),
    `expected ${rule} at '${elementId}', got ${JSON.stringify(problems.map((p) => [p.rule, p.elementId]))}`,
  )
}

async function accepts(xml: string): Promise<void> {
  const result = await compileBpmn(xml)
  if (!result.ok) assert.fail(`expected ok, got ${JSON.stringify(result.problems, null, 2)}`)
}

const untypedTimer = `<intermediateCatchEvent id="x"><timerEventDefinition><timeDuration>PT1M</timeDuration></timerEventDefinition></intermediateCatchEvent>`

void describe('model/spec-rules', () => {
  void describe('dialect', () => {
    void it('tells Camunda 8, Camunda 7 and jBPM files from plain BPMN', async () => {
      const { BpmnModdle } = await import('bpmn-moddle')
      const read = async (xml: string): Promise<string> => {
        const { rootElement } = await new BpmnModdle().fromXML(xml)
        return dialectOf(rootElement as never)
      }
      assert.equal(await read(file('', { zeebe: true })), 'zeebe')
      assert.equal(
        await read(
          file('').replace('id="d"', 'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d"'),
        ),
        'camunda7',
      )
      assert.equal(
        await read(file('').replace('id="d"', 'exporter="jBPM Process Modeler" id="d"')),
        'jbpm',
      )
      assert.equal(await read(file('')), 'bpmn')
    })
  })

  void describe('plain BPMN files', () => {
    void it('rejects an untyped timer expression (EXT.012), which Camunda 8 files may use', async () => {
      await rejects(process(untypedTimer), 'expression-not-formal', 'x')
      await accepts(process(untypedTimer, '', { zeebe: true }))
    })

    void it('rejects an empty transformation (EXT.013)', async () => {
      await rejects(
        process(`<task id="x"><ioSpecification><dataInput id="in"/><inputSet><dataInputRefs>in</dataInputRefs></inputSet><outputSet/></ioSpecification>
<dataInputAssociation id="a"><sourceRef>ref</sourceRef><targetRef>in</targetRef><transformation/></dataInputAssociation></task>
<dataObject id="do"/><dataObjectReference id="ref" dataObjectRef="do"/>`),
        'expression-empty',
        'a',
      )
    })

    void it('rejects a mixed gateway without several flows in and out (EXT.019)', async () => {
      await rejects(
        file(`<process id="p" isExecutable="true"><startEvent id="s"/><parallelGateway id="g" gatewayDirection="Mixed"/><task id="a"/><task id="b"/><endEvent id="e"/>
<sequenceFlow id="f1" sourceRef="s" targetRef="g"/><sequenceFlow id="f2" sourceRef="g" targetRef="a"/><sequenceFlow id="f3" sourceRef="g" targetRef="b"/>
<sequenceFlow id="f4" sourceRef="a" targetRef="e"/><sequenceFlow id="f5" sourceRef="b" targetRef="e"/></process>`),
        'gateway-direction-mismatch',
        'g',
      )
    })

    void it('rejects isCollection that contradicts the item definition (EXT.020)', async () => {
      await rejects(
        process(
          '<task id="x"/><dataObject id="do" itemSubjectRef="item"/>',
          '<itemDefinition id="item" isCollection="true"/>',
        ),
        'item-collection-mismatch',
        'do',
      )
    })

    void it('rejects isImmediate="false" in an executable process (EXT.024)', async () => {
      await rejects(
        process('<task id="x"/>').replace('id="f1"', 'id="f1" isImmediate="false"'),
        'sequence-flow-not-immediate',
        'f1',
      )
    })

    void it('rejects a conditional flow that is the only flow leaving an activity (EXT.025)', async () => {
      await rejects(
        process('<task id="x"/>').replace(
          '<sequenceFlow id="f2" sourceRef="x" targetRef="e"/>',
          '<sequenceFlow id="f2" sourceRef="x" targetRef="e"><conditionExpression xsi:type="tFormalExpression">=true</conditionExpression></sequenceFlow>',
        ),
        'conditional-flow-alone',
        'f2',
      )
    })

    void it('rejects message flows inside one pool, from a catch event and into a none start event (EXT.031, .102, .103)', async () => {
      const collaboration = (flow: string, extraParticipant = ''): string =>
        process(
          '<task id="x"/>',
          `<collaboration id="c"><participant id="pool" processRef="p"/>${extraParticipant}${flow}</collaboration>`,
        )
      await rejects(
        collaboration('<messageFlow id="m" sourceRef="x" targetRef="pool"/>'),
        'message-flow-same-pool',
        'm',
      )
      await rejects(
        collaboration(
          '<messageFlow id="m" sourceRef="s" targetRef="other"/>',
          '<participant id="other"/>',
        ),
        'message-flow-source-invalid',
        'm',
      )
      await rejects(
        collaboration(
          '<messageFlow id="m" sourceRef="other" targetRef="s"/>',
          '<participant id="other"/>',
        ),
        'message-flow-target-invalid',
        'm',
      )
      await accepts(
        collaboration(
          '<messageFlow id="m" sourceRef="other" targetRef="x"/>',
          '<participant id="other"/>',
        ),
      )
    })

    void it('rejects a collaboration whose isClosed differs from its choreography (EXT.033)', async () => {
      await rejects(
        process(
          '<task id="x"/>',
          '<choreography id="ch" isClosed="true"/><collaboration id="c" isClosed="false"><participant id="pool" processRef="p"/><choreographyRef>ch</choreographyRef></collaboration>',
        ),
        'choreography-closed-mismatch',
        'c',
      )
    })

    void it('rejects a call activity whose data does not match the called process (EXT.063)', async () => {
      await rejects(
        file(`<itemDefinition id="text" structureRef="String"/><itemDefinition id="number" structureRef="Integer"/>
<process id="callee" isExecutable="true"><ioSpecification><dataInput id="cin" itemSubjectRef="text"/><inputSet><dataInputRefs>cin</dataInputRefs></inputSet><outputSet/></ioSpecification>
<startEvent id="cs"/><endEvent id="ce"/><sequenceFlow id="cf" sourceRef="cs" targetRef="ce"/></process>
<process id="p" isExecutable="true"><startEvent id="s"/><callActivity id="x" calledElement="callee"><ioSpecification><dataInput id="in" itemSubjectRef="number"/><inputSet><dataInputRefs>in</dataInputRefs></inputSet><outputSet/></ioSpecification></callActivity><endEvent id="e"/>
<sequenceFlow id="f1" sourceRef="s" targetRef="x"/><sequenceFlow id="f2" sourceRef="x" targetRef="e"/></process>`),
        'call-activity-data-mismatch',
        'x',
      )
    })

    void it('rejects a process exposed as a service without or with a wrong ioBinding (EXT.064, .065)', async () => {
      const service = (binding: string, inputItem: string): string =>
        file(`<itemDefinition id="text" structureRef="String"/><itemDefinition id="number" structureRef="Integer"/><message id="msg" itemRef="text"/>
<interface id="if"><operation id="op"><inMessageRef>msg</inMessageRef></operation></interface>
<process id="p" isExecutable="true"><supportedInterfaceRef>if</supportedInterfaceRef><ioSpecification><dataInput id="in" itemSubjectRef="${inputItem}"/><inputSet><dataInputRefs>in</dataInputRefs></inputSet><outputSet/></ioSpecification>${binding}
<startEvent id="s"/><endEvent id="e"/><sequenceFlow id="f" sourceRef="s" targetRef="e"/></process>`)
      await rejects(service('', 'text'), 'interface-binding-required', 'p')
      await rejects(
        service('<ioBinding operationRef="op" inputDataRef="in"/>', 'number'),
        'interface-binding-mismatch',
        'p',
      )
      await accepts(service('<ioBinding operationRef="op" inputDataRef="in"/>', 'text'))
    })

    void it('rejects a multi-instance data item of another structure than its collection (EXT.069)', async () => {
      await rejects(
        process(
          `<task id="x"><ioSpecification><dataOutput id="out" itemSubjectRef="texts" isCollection="true"/><inputSet/><outputSet><dataOutputRefs>out</dataOutputRefs></outputSet></ioSpecification>
<multiInstanceLoopCharacteristics><loopCardinality xsi:type="tFormalExpression">2</loopCardinality><loopDataOutputRef>out</loopDataOutputRef><outputDataItem id="item" itemSubjectRef="number"/></multiInstanceLoopCharacteristics></task>`,
          '<itemDefinition id="texts" structureRef="String" isCollection="true"/><itemDefinition id="number" structureRef="Integer"/>',
        ),
        'multi-instance-data-item-mismatch',
        'x',
      )
    })

    void it('rejects event data that does not match its event definitions (EXT.093, .094)', async () => {
      const start = (output: string, definitions: string): string =>
        file(`<itemDefinition id="text" structureRef="String"/><itemDefinition id="number" structureRef="Integer"/><signal id="sig" name="go" structureRef="text"/>
<process id="p" isExecutable="true"><startEvent id="s"><dataOutput id="out" itemSubjectRef="${output}"/><outputSet><dataOutputRefs>out</dataOutputRefs></outputSet>${definitions}</startEvent>
<endEvent id="e"/><sequenceFlow id="f" sourceRef="s" targetRef="e"/></process>`)
      const signal = '<signalEventDefinition signalRef="sig"/>'
      await rejects(
        start(
          'text',
          signal +
            '<timerEventDefinition><timeDuration xsi:type="tFormalExpression">PT1M</timeDuration></timerEventDefinition>',
        ),
        'event-data-mismatch',
        's',
      )
      await rejects(start('number', signal), 'event-data-mismatch', 's')
    })

    void it('rejects a flow node that leaves a flow out of its <incoming>/<outgoing> lists (EXT.101)', async () => {
      await rejects(
        file(
          `<process id="p" isExecutable="true"><startEvent id="s"/><endEvent id="e"><incoming>f</incoming></endEvent><sequenceFlow id="f" sourceRef="s" targetRef="e"/></process>`,
        ),
        'flow-list-incomplete',
        's',
      )
    })

    void it('rejects a subprocess with a start event but no end event (EXT.105), not a process', async () => {
      await rejects(
        process(
          '<subProcess id="x"><startEvent id="ss"/><task id="t"/><sequenceFlow id="sf" sourceRef="ss" targetRef="t"/></subProcess>',
        ),
        'end-event-required',
        'x',
      )
      await accepts(
        file(
          '<process id="p" isExecutable="true"><startEvent id="s"/><task id="t"/><sequenceFlow id="f" sourceRef="s" targetRef="t"/></process>',
        ),
      )
    })

    void it('rejects a scriptFormat that names no language (EXT.145), but accepts language names', async () => {
      const script = (format: string): string =>
        process(`<scriptTask id="x" scriptFormat="${format}"><script>run()</script></scriptTask>`)
      await rejects(script('INVALID'), 'script-format-invalid', 'x')
      await accepts(script('text/javascript'))
      await accepts(script('groovy'))
    })

    void it('rejects references to elements of the wrong kind (REF)', async () => {
      await rejects(
        process(
          '<task id="x"/>',
          '<partnerEntity id="pe"><participantRef>f1</participantRef></partnerEntity>',
        ),
        'reference-type-invalid',
        'pe',
      )
    })
  })

  void describe('every dialect', () => {
    void it('rejects an activity with two loop markers (EXT.041)', async () => {
      const xml = process(
        `<serviceTask id="x"><extensionElements><zeebe:taskDefinition type="t"/></extensionElements>
<standardLoopCharacteristics/><multiInstanceLoopCharacteristics><loopCardinality xsi:type="tFormalExpression">3</loopCardinality></multiInstanceLoopCharacteristics></serviceTask>`,
        '',
        { zeebe: true },
      )
      await rejects(xml, 'loop-markers-multiple', 'x')
    })

    void it('rejects a script body without scriptFormat (EXT.053)', async () => {
      await rejects(
        process('<scriptTask id="x"><script>run()</script></scriptTask>', '', { zeebe: true }),
        'script-format-required',
        'x',
      )
    })

    void it('rejects a BPMN element where BPMN does not allow it (EXT.078), naming its line', async () => {
      const problems = await problemsOf(
        process('<task id="x"/>', '<property id="misplaced"/>', { zeebe: true }),
      )
      const problem = problems.find((p) => p.rule === 'element-misplaced')
      assert.ok(problem, JSON.stringify(problems))
      assert.equal(problem.line, 3)
      assert.match(problem.message, /property/)
    })
  })
})
