/**
 * The small BPMN models of the benchmark scenarios, written inline so that the built bench
 * (dist/) needs no files beside it.
 */
const ns =
  'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" targetNamespace="https://baton.dev/bench"'

function definitions(id: string, body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions ${ns} id="Definitions_${id}">${body}</bpmn:definitions>`
}

function flow(id: string, from: string, to: string): string {
  return `<bpmn:sequenceFlow id="${id}" sourceRef="${from}" targetRef="${to}" />`
}

/** One waiting step between a none start and a none end event. */
function waitingAt(processId: string, step: string, extra = ''): string {
  return definitions(
    processId,
    `<bpmn:process id="${processId}" isExecutable="true">
      <bpmn:startEvent id="Start" />${flow('f1', 'Start', 'Wait')}
      ${step}
      ${flow('f2', 'Wait', 'End')}<bpmn:endEvent id="End" />
    </bpmn:process>${extra}`,
  )
}

/** start -> user task for the `clerks` group -> end. */
export const userTaskModel = {
  id: 'bench-user-task',
  xml: waitingAt(
    'bench-user-task',
    '<bpmn:userTask id="Wait" name="Review"><bpmn:extensionElements><zeebe:userTask /><zeebe:assignmentDefinition candidateGroups="clerks" /></bpmn:extensionElements></bpmn:userTask>',
  ),
} as const

/** start -> intermediate timer catch at the date in variable `due` (ISO 8601) -> end. */
export const timerModel = {
  id: 'bench-timer',
  xml: waitingAt(
    'bench-timer',
    '<bpmn:intermediateCatchEvent id="Wait"><bpmn:timerEventDefinition><bpmn:timeDate>=due</bpmn:timeDate></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>',
  ),
} as const

/** start -> intermediate catch of message `go` correlated on variable `id` -> end. */
export const messageModel = {
  id: 'bench-message',
  xml: waitingAt(
    'bench-message',
    '<bpmn:intermediateCatchEvent id="Wait"><bpmn:messageEventDefinition messageRef="Msg_go" /></bpmn:intermediateCatchEvent>',
    '<bpmn:message id="Msg_go" name="go"><bpmn:extensionElements><zeebe:subscription correlationKey="=id" /></bpmn:extensionElements></bpmn:message>',
  ),
} as const
