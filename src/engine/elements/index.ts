import type { FlowNodeType } from '../../model/types.ts'
import { businessRuleTask } from './business-rule-task.ts'
import { callActivity } from './call-activity.ts'
import { boundaryEvent, catchEvent, eventBasedGateway } from './catch-event.ts'
import { throwEvent } from './throw-event.ts'
import type { ElementBehavior } from './element-behavior.ts'
import { jobTask, sendTask } from './job-task.ts'
import { passThrough } from './pass-through.ts'
import { scriptTask } from './script-task.ts'
import { subProcess } from './sub-process.ts'
import { userTask } from './user-task.ts'

/** One behaviour per executable element type; the type checker insists every type has one. */
export const elementBehaviors: Readonly<Record<FlowNodeType, ElementBehavior>> = {
  startEvent: passThrough('all-true'),
  endEvent: throwEvent,
  intermediateThrowEvent: throwEvent,
  intermediateCatchEvent: catchEvent,
  boundaryEvent,
  receiveTask: catchEvent,
  eventBasedGateway,
  serviceTask: jobTask,
  sendTask,
  businessRuleTask,
  scriptTask,
  userTask,
  manualTask: passThrough('all-true'),
  task: passThrough('all-true'),
  exclusiveGateway: passThrough('first-true'),
  parallelGateway: passThrough('all'),
  inclusiveGateway: passThrough('all-true'),
  complexGateway: passThrough('all-true'),
  subProcess,
  callActivity,
}
