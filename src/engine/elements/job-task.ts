import { sendMessage } from '../behaviors/events.ts'
import { IncidentErrorTypes } from '../types.ts'
import type { ElementBehavior } from './element-behavior.ts'

/**
 * Service, send, business rule (without a called decision) and non-FEEL script tasks: the element waits for a job of the
 * model's type to be completed by a worker.
 */
export const jobTask: ElementBehavior = {
  outgoing: 'all-true',
  onActivated(step, element, node) {
    const job = node.job
    if (!job) throw new Error(`element ${node.id} has no job definition`)
    const type = step.stringAttribute(element, job.type, 'the job type')
    if (!type.ok) return
    if (!type.value) {
      step.raiseIncident(
        element,
        IncidentErrorTypes.extractValue,
        `the job type of '${node.id}' evaluated to an empty value; set zeebe:taskDefinition type`,
        'activate',
      )
      return
    }
    const retriesValue = step.attribute(element, job.retries, 'the job retries')
    if (!retriesValue.ok) return
    const retries = Number(retriesValue.value)
    if (!Number.isInteger(retries) || retries < 0) {
      step.raiseIncident(
        element,
        IncidentErrorTypes.extractValue,
        `the job retries of '${node.id}' must be a whole number >= 0 but was ${JSON.stringify(retriesValue.value)}`,
        'activate',
      )
      return
    }
    step.emit({
      type: 'JobCreated',
      jobKey: step.ctx.nextKey(),
      elementInstanceKey: element.key,
      elementId: node.id,
      jobType: type.value,
      retries,
      headers: job.headers,
    })
  },
  onTerminate(step, element) {
    if (element.jobKey) step.emit({ type: 'JobCanceled', jobKey: element.jobKey })
  },
}

/**
 * A send task is a job for a worker; one without a task definition (its message is caught in the
 * same file) sends the message itself and completes.
 */
export const sendTask: ElementBehavior = {
  outgoing: 'all-true',
  onActivated(step, element, node) {
    const definition = node.eventDefinition
    if (node.job || definition?.type !== 'message') {
      jobTask.onActivated(step, element, node)
      return
    }
    if (!sendMessage(step, element, definition)) return
    step.enqueueComplete(element.key)
  },
  onTerminate(step, element, node) {
    jobTask.onTerminate?.(step, element, node)
  },
}
