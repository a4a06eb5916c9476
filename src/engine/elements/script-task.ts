import { toJson } from '../behaviors/variables.ts'
import type { ElementBehavior } from './element-behavior.ts'
import { jobTask } from './job-task.ts'

/** Script task: a `zeebe:script` FEEL expression runs in the engine; otherwise it is a job. */
export const scriptTask: ElementBehavior = {
  outgoing: 'all-true',
  onActivated(step, element, node) {
    const script = node.script
    if (!script) {
      jobTask.onActivated(step, element, node)
      return
    }
    const result = step.evaluate(element, script.expression, 'the script expression')
    if (!result.ok) return
    step.setCompletionVariables(element, node, { [script.resultVariable]: toJson(result.value) })
    step.enqueueComplete(element.key)
  },
  onTerminate(step, element, node) {
    jobTask.onTerminate?.(step, element, node)
  },
}
