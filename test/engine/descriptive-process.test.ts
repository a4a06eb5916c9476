/**
 * Descriptive processes (files without any executable process) run with BPMN's token-flow
 * semantics: flow nodes without incoming flow start with their scope, several start events of a
 * subprocess all start, an event subprocess starts at whichever of its start events fired, and
 * constructs an executable process may not have run the descriptive way.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { compileBpmn } from '../../src/model/index.ts'
import { Engine } from '../../src/runtime/engine.ts'
import { FakeClock, fixture, trail } from '../support/engine-harness.ts'

const ns = `xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" targetNamespace="https://baton.dev/test"`
const flow = (id: string, from: string, to: string): string =>
  `<bpmn:sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}" />`
const service = (id: string): string =>
  `<bpmn:serviceTask id="${id}"><bpmn:extensionElements><zeebe:taskDefinition type="${id}" /></bpmn:extensionElements></bpmn:serviceTask>`

/** A file with one process, not executable unless said. */
function model(id: string, body: string, roots = '', executable = false): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions ${ns} id="Definitions_${id}">${roots}
  <bpmn:process id="${id}" isExecutable="${String(executable)}">${body}</bpmn:process>
</bpmn:definitions>`
}

/** A task without incoming flow before the start event; a second start event that stays idle. */
const implicitBeside = model(
  'implicit-beside',
  `<bpmn:task id="Loose" />${flow('f1', 'Loose', 'Join')}
  <bpmn:startEvent id="Start" />${flow('f2', 'Start', 'Join')}
  <bpmn:parallelGateway id="Join" />${flow('f3', 'Join', 'End')}
  <bpmn:endEvent id="End" />
  <bpmn:startEvent id="Other" />${flow('f4', 'Other', 'End')}`,
)

/** No start event at all: the process starts at its two flow nodes without incoming flow. */
const noStart = model(
  'no-start',
  `<bpmn:task id="A" />${flow('f1', 'A', 'EndA')}<bpmn:endEvent id="EndA" />
  <bpmn:task id="B" />${flow('f2', 'B', 'EndB')}<bpmn:endEvent id="EndB" />`,
)

/** A subprocess with two none starts and a job task without incoming flow, joined in it. */
const subStarts = model(
  'sub-starts',
  `<bpmn:startEvent id="Start" />${flow('f1', 'Start', 'Sub')}
  <bpmn:subProcess id="Sub">
    <bpmn:startEvent id="S1" />${flow('f2', 'S1', 'Join')}
    <bpmn:startEvent id="S2" />${flow('f3', 'S2', 'Join')}
    ${service('work')}${flow('f4', 'work', 'Join')}
    <bpmn:parallelGateway id="Join" />${flow('f5', 'Join', 'SubEnd')}
    <bpmn:endEvent id="SubEnd" />
  </bpmn:subProcess>${flow('f6', 'Sub', 'End')}
  <bpmn:endEvent id="End" />`,
)

/** An event subprocess started by either of two signals; the process waits at a job. */
const espStarts = model(
  'esp-starts',
  `<bpmn:startEvent id="Start" />${flow('f1', 'Start', 'wait')}${service('wait')}${flow('f2', 'wait', 'End')}
  <bpmn:endEvent id="End" />
  <bpmn:subProcess id="Esp" triggeredByEvent="true">
    <bpmn:startEvent id="OnA" isInterrupting="false"><bpmn:signalEventDefinition signalRef="SigA" /></bpmn:startEvent>${flow('f3', 'OnA', 'EspEnd')}
    <bpmn:startEvent id="OnB" isInterrupting="false"><bpmn:signalEventDefinition signalRef="SigB" /></bpmn:startEvent>${flow('f4', 'OnB', 'EspEnd')}
    <bpmn:endEvent id="EspEnd" />
  </bpmn:subProcess>`,
  `<bpmn:signal id="SigA" name="a" /><bpmn:signal id="SigB" name="b" />`,
)

/**
 * The constructs an executable process may not have: an event-based gateway with one flow, a
 * boundary event without definition (never fires), one without outgoing flow (ends the path), a
 * compensation boundary without handler (compensates nothing), a message throw without job.
 */
const relaxed = model(
  'relaxed',
  `<bpmn:startEvent id="Start" />${flow('f1', 'Start', 'Gate')}
  <bpmn:eventBasedGateway id="Gate" />${flow('f2', 'Gate', 'Go')}
  <bpmn:intermediateCatchEvent id="Go"><bpmn:signalEventDefinition signalRef="SigGo" /></bpmn:intermediateCatchEvent>${flow('f3', 'Go', 'work')}
  ${service('work')}${flow('f4', 'work', 'Undo')}
  <bpmn:boundaryEvent id="Never" attachedToRef="work" />${flow('f5', 'Never', 'NeverEnd')}<bpmn:endEvent id="NeverEnd" />
  <bpmn:boundaryEvent id="Stop" attachedToRef="work"><bpmn:signalEventDefinition signalRef="SigStop" /></bpmn:boundaryEvent>
  <bpmn:boundaryEvent id="Comp" attachedToRef="work"><bpmn:compensateEventDefinition /></bpmn:boundaryEvent>
  <bpmn:intermediateThrowEvent id="Undo"><bpmn:compensateEventDefinition /></bpmn:intermediateThrowEvent>${flow('f6', 'Undo', 'Tell')}
  <bpmn:intermediateThrowEvent id="Tell"><bpmn:messageEventDefinition /></bpmn:intermediateThrowEvent>${flow('f7', 'Tell', 'End')}
  <bpmn:endEvent id="End" />`,
  `<bpmn:signal id="SigGo" name="go" /><bpmn:signal id="SigStop" name="stop" />`,
)

async function memoryEngine(t: { after: (fn: () => Promise<void>) => void }): Promise<Engine> {
  const engine = await Engine.open({ path: ':memory:', durable: false, clock: new FakeClock() })
  t.after(() => engine.close())
  return engine
}

async function completeJobs(engine: Engine, type: string): Promise<number> {
  const jobs = await engine.activateJobs({ type, worker: 'test', timeoutMs: 60_000, max: 10 })
  for (const job of jobs) await engine.completeJob(job.key)
  return jobs.length
}

const entered = (lines: readonly string[]): string[] =>
  lines.filter((l) => l.startsWith('ElementActivating')).map((l) => l.split(' ')[1] ?? '')

void describe('engine/descriptive-process', () => {
  void it('starts a flow node without incoming flow together with the start event, in document order', async (t) => {
    // given
    const engine = await memoryEngine(t)
    await engine.deploy({ name: 'implicit-beside.bpmn', xml: implicitBeside })

    // when an instance starts at Start
    const { instanceKey } = await engine.createInstance('implicit-beside', {
      startEventId: 'Start',
    })

    // then Loose and Start both get a token (Loose first, as in the file), the other start
    // event none, and the join fires with both
    const lines = trail(await engine.history(instanceKey), [
      'ElementActivating',
      'JoinTokensConsumed',
      'ProcessInstanceCompleted',
    ])
    assert.deepEqual(lines, [
      'ElementActivating Loose',
      'ElementActivating Start',
      'JoinTokensConsumed Join',
      'ElementActivating Join',
      'ElementActivating End',
      'ProcessInstanceCompleted',
    ])
  })

  void it('starts a process without start event at its flow nodes without incoming flow', async (t) => {
    const engine = await memoryEngine(t)
    await engine.deploy({ name: 'no-start.bpmn', xml: noStart })

    const { instanceKey } = await engine.createInstance('no-start')

    const lines = trail(await engine.history(instanceKey), [
      'ElementActivating',
      'ProcessInstanceCompleted',
    ])
    assert.deepEqual(entered(lines), ['A', 'B', 'EndA', 'EndB'])
    assert.equal(lines.at(-1), 'ProcessInstanceCompleted')
  })

  void it('starts a subprocess at every none start event and implicit start, across a restart', async (t) => {
    // given a SQLite file
    const dir = mkdtempSync(join(tmpdir(), 'baton-descriptive-'))
    t.after(() => rmSync(dir, { recursive: true, force: true }))
    const path = join(dir, 'baton.db')
    let engine = await Engine.open({ path, clock: new FakeClock() })
    await engine.deploy({ name: 'sub-starts.bpmn', xml: subStarts })

    // when an instance enters the subprocess: both starts reach the join, the job waits
    const { instanceKey } = await engine.createInstance('sub-starts')
    const before = trail(await engine.history(instanceKey), ['ElementActivating', 'JobCreated'])
    assert.deepEqual(before, [
      'ElementActivating Start',
      'ElementActivating Sub',
      'ElementActivating S1',
      'ElementActivating S2',
      'ElementActivating work',
      'JobCreated work',
    ])

    // and the engine restarts before the job is done
    await engine.close()
    engine = await Engine.open({ path, clock: new FakeClock() })
    t.after(() => engine.close())
    assert.equal(await completeJobs(engine, 'work'), 1)

    // then the join fires with all three tokens, and the subprocess and the process complete
    const events = await engine.history(instanceKey)
    const consumed = events.find((e) => e.type === 'JoinTokensConsumed')
    assert.deepEqual(consumed?.type === 'JoinTokensConsumed' ? consumed.flows : [], [
      'f2',
      'f3',
      'f4',
    ])
    assert.deepEqual(trail(events, ['ElementCompleted', 'ProcessInstanceCompleted']).slice(-5), [
      'ElementCompleted Join',
      'ElementCompleted SubEnd',
      'ElementCompleted Sub',
      'ElementCompleted End',
      'ProcessInstanceCompleted',
    ])
  })

  void it('starts an event subprocess with two start events at the one that was triggered', async (t) => {
    const engine = await memoryEngine(t)
    await engine.deploy({ name: 'esp-starts.bpmn', xml: espStarts })
    const { instanceKey } = await engine.createInstance('esp-starts')

    // when signal b, then signal a, arrive while the process waits
    await engine.broadcastSignal('b')
    await engine.broadcastSignal('a')

    // then the event subprocess ran twice, once from each start event
    const lines = entered(trail(await engine.history(instanceKey), ['ElementActivating']))
    assert.deepEqual(lines, ['Start', 'wait', 'Esp', 'OnB', 'EspEnd', 'Esp', 'OnA', 'EspEnd'])
    assert.equal((await engine.getInstance(instanceKey))?.status, 'active')
  })

  void it('runs the constructs only an executable process may not have', async (t) => {
    const engine = await memoryEngine(t)
    await engine.deploy({ name: 'relaxed.bpmn', xml: relaxed })
    const { instanceKey } = await engine.createInstance('relaxed')

    // when the gateway's one event comes and the job completes
    await engine.broadcastSignal('go')
    assert.equal(await completeJobs(engine, 'work'), 1)

    // then the boundary without definition never fired, compensation undid nothing, the
    // message throw went on without a job, and the instance completed
    const lines = trail(await engine.history(instanceKey), [
      'ElementActivating',
      'JobCreated',
      'ProcessInstanceCompleted',
    ])
    assert.deepEqual(lines, [
      'ElementActivating Start',
      'ElementActivating Gate',
      'ElementActivating Go',
      'ElementActivating work',
      'JobCreated work',
      'ElementActivating Undo',
      'ElementActivating Tell',
      'ElementActivating End',
      'ProcessInstanceCompleted',
    ])
  })

  void it('ends the path at a boundary event without outgoing flow', async (t) => {
    const engine = await memoryEngine(t)
    await engine.deploy({ name: 'relaxed.bpmn', xml: relaxed })
    const { instanceKey } = await engine.createInstance('relaxed')
    await engine.broadcastSignal('go')

    // when the interrupting boundary without outgoing flow fires
    await engine.broadcastSignal('stop')

    // then the job's task is terminated and the instance completes there
    const lines = trail(await engine.history(instanceKey), [
      'ElementTerminated',
      'ElementCompleted',
      'ProcessInstanceCompleted',
    ])
    assert.deepEqual(lines.slice(-3), [
      'ElementTerminated work',
      'ElementCompleted Stop',
      'ProcessInstanceCompleted',
    ])
  })

  void it('returns the rules it relaxed with the deployment, naming file, element and rule', async (t) => {
    // given
    const engine = await memoryEngine(t)

    // when the relaxed model is deployed, and then deployed again unchanged
    const first = await engine.deployResources({ name: 'relaxed.bpmn', xml: relaxed })
    const again = await engine.deployResources({ name: 'relaxed.bpmn', xml: relaxed })

    // then the deployment carries a warning per relaxed rule, on its element, in its file
    const found = (warnings: typeof first.warnings): string[] =>
      warnings.map((w) => `${w.resourceName} ${w.rule} ${w.elementId ?? ''}`).sort()
    assert.deepEqual(found(first.warnings), [
      'relaxed.bpmn boundary-event-outgoing-flow-required Stop',
      'relaxed.bpmn compensation-handler-missing Comp',
      'relaxed.bpmn event-definition-required Never',
      'relaxed.bpmn event-gateway-outgoing-flows Gate',
      'relaxed.bpmn process-not-executable relaxed',
      'relaxed.bpmn task-definition-required Tell',
    ])
    const gate = first.warnings.find((w) => w.elementId === 'Gate')
    assert.match(gate?.message ?? '', /as a descriptive model, Baton waits for that one event/)
    assert.equal(typeof gate?.line, 'number')
    // and the unchanged content, though nothing new was deployed, still has them
    assert.equal(again.processes[0]?.isNew, false)
    assert.deepEqual(again.warnings, first.warnings)
  })

  void it('returns no warnings for an executable model, and only those of a descriptive file beside it', async (t) => {
    const engine = await memoryEngine(t)
    const executable = { name: 'none-start-end.bpmn', xml: fixture('none-start-end.bpmn') }

    const alone = await engine.deployResources(executable)
    const mixed = await engine.deployResources([
      executable,
      { name: 'no-start.bpmn', xml: noStart },
    ])

    assert.deepEqual(alone.warnings, [])
    assert.deepEqual(
      mixed.processes.map((p) => p.bpmnProcessId),
      ['none-start-end', 'no-start'],
    )
    assert.deepEqual(
      mixed.warnings.map((w) => `${w.resourceName} ${w.rule} ${w.elementId ?? ''}`),
      [
        'no-start.bpmn process-not-executable no-start',
        'no-start.bpmn flow-node-unreachable A',
        'no-start.bpmn flow-node-unreachable B',
        'no-start.bpmn start-event-required no-start',
      ],
    )
  })

  void it('warns for each relaxed rule, and rejects the same model marked executable', async () => {
    // given the relaxed model as it is and marked executable
    const descriptive = await compileBpmn(relaxed)
    const executable = await compileBpmn(
      relaxed.replace('isExecutable="false"', 'isExecutable="true"'),
    )

    // then the descriptive one deploys with a warning per construct, saying what Baton does
    if (!descriptive.ok) assert.fail(descriptive.problems.map((p) => p.message).join('; '))
    const warnings = new Map(
      descriptive.warnings.map((w) => [`${w.rule} ${w.elementId ?? ''}`, w.message]),
    )
    assert.match(
      warnings.get('event-gateway-outgoing-flows Gate') ?? '',
      /eventBasedGateway 'Gate' has 1 outgoing sequence flow, where an event-based gateway chooses between at least two events; as a descriptive model, Baton waits for that one event\./,
    )
    assert.match(
      warnings.get('event-definition-required Never') ?? '',
      /boundaryEvent 'Never' has no event definition, so nothing could ever trigger it; as a descriptive model, Baton deploys it and never triggers it/,
    )
    assert.match(
      warnings.get('boundary-event-outgoing-flow-required Stop') ?? '',
      /boundaryEvent 'Stop' has no outgoing sequence flow; as a descriptive model, Baton ends the path there when it is triggered/,
    )
    assert.match(
      warnings.get('compensation-handler-missing Comp') ?? '',
      /as a descriptive model, Baton compensates nothing for 'work'\./,
    )
    assert.match(
      warnings.get('task-definition-required Tell') ?? '',
      /as a descriptive model, Baton sends its message itself/,
    )
    // and the executable one is rejected for each of them
    assert.equal(executable.ok, false)
    if (executable.ok) return
    assert.deepEqual(executable.problems.map((p) => `${p.rule} ${p.elementId ?? ''}`).sort(), [
      'boundary-event-outgoing-flow-required Stop',
      'compensation-handler-missing Comp',
      'event-definition-required Never',
      'event-gateway-outgoing-flows Gate',
      'task-definition-required Tell',
    ])
  })
})
