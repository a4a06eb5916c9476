/**
 * Scenario `messages`: instances wait at an intermediate message catch event, each with its own
 * correlation key; then one message per instance is published through the engine API (in
 * process), each correlated to its instance, which then ends in the same command.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Engine } from '../../runtime/engine.ts'
import { CompletionWatch } from './completions.ts'
import { cpuMs, inFlight, latencyFigures, round } from './measure.ts'
import { messageModel } from './models.ts'

export interface MessageFigures {
  readonly messages: number
  /** Creating the waiting instances, per second. */
  readonly instancesPerSecond: number
  /** Messages published and correlated (committed), per second. */
  readonly messagesPerSecond: number
  readonly seconds: number
  /** Per message, publishMessage until its correlation committed. */
  readonly p50Ms: number
  readonly p99Ms: number
  /** CPU time of the process per message published and correlated, ms. */
  readonly cpuMsPerMessage: number
  readonly concurrency: number
  readonly durable: boolean
}

export async function benchMessages(options: {
  messages: number
  concurrency: number
  durable: boolean
}): Promise<MessageFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-bench-messages-'))
  const engine = await Engine.open({ path: join(dir, 'bench.db'), durable: options.durable })
  const watch = new CompletionWatch(engine, messageModel.id)
  try {
    await engine.deploy({ name: 'message.bpmn', xml: messageModel.xml })
    const c0 = performance.now()
    await inFlight(options.messages, options.concurrency, (i) =>
      engine.createInstance(messageModel.id, { variables: { id: `order-${i}` } }),
    )
    const createSeconds = (performance.now() - c0) / 1000

    const latencies: number[] = []
    let uncorrelated = 0
    const t0 = performance.now()
    const cpu0 = cpuMs()
    await inFlight(options.messages, options.concurrency, async (i) => {
      const s = performance.now()
      const result = await engine.publishMessage({ name: 'go', correlationKey: `order-${i}` })
      latencies.push(performance.now() - s)
      if (result.correlatedInstances !== 1) uncorrelated++
    })
    const seconds = (performance.now() - t0) / 1000
    const cpuMsPerMessage = (cpuMs() - cpu0) / options.messages
    if (uncorrelated > 0 || watch.count !== options.messages) {
      throw new Error(
        `messages: ${uncorrelated} messages not correlated, ${watch.count} of ${options.messages} instances completed`,
      )
    }
    return {
      messages: options.messages,
      instancesPerSecond: Math.round(options.messages / createSeconds),
      messagesPerSecond: Math.round(options.messages / seconds),
      seconds: round(seconds, 3),
      ...latencyFigures(latencies),
      cpuMsPerMessage: round(cpuMsPerMessage, 3),
      concurrency: options.concurrency,
      durable: options.durable,
    }
  } finally {
    watch.close()
    await engine.close()
    rmSync(dir, { recursive: true, force: true })
  }
}
