/** Prometheus text exposition of the engine's and the server's counters. */
import type { Engine } from '../runtime/engine.ts'

/** Requests answered, by method, route pattern and status. */
export class HttpMetrics {
  private readonly counts = new Map<string, number>()
  private readonly seconds = new Map<string, number>()

  record(method: string, route: string, status: number, seconds: number): void {
    const labels = `method="${method}",route="${escapeLabel(route)}",status="${status}"`
    this.counts.set(labels, (this.counts.get(labels) ?? 0) + 1)
    this.seconds.set(labels, (this.seconds.get(labels) ?? 0) + seconds)
  }

  lines(): string[] {
    const out = [
      '# HELP baton_http_requests_total HTTP requests answered.',
      '# TYPE baton_http_requests_total counter',
    ]
    for (const [labels, count] of this.counts)
      out.push(`baton_http_requests_total{${labels}} ${count}`)
    out.push(
      '# HELP baton_http_request_seconds_total Time spent answering HTTP requests.',
      '# TYPE baton_http_request_seconds_total counter',
    )
    for (const [labels, total] of this.seconds) {
      out.push(`baton_http_request_seconds_total{${labels}} ${total.toFixed(6)}`)
    }
    return out
  }
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
}

function metric(
  name: string,
  type: 'counter' | 'gauge',
  help: string,
  samples: string[],
): string[] {
  return [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...samples]
}

export async function renderMetrics(
  engine: Engine,
  http: HttpMetrics,
  waitingActivations: number,
): Promise<string> {
  const stats = engine.stats()
  const [active, completed, terminated, withIncident] = await Promise.all([
    engine.store.countInstances({ status: 'active' }),
    engine.store.countInstances({ status: 'completed' }),
    engine.store.countInstances({ status: 'terminated' }),
    engine.store.countInstances({ status: 'active', hasIncident: true }),
  ])
  const memory = process.memoryUsage()
  const lines = [
    ...metric(
      'baton_engine_commands_total',
      'counter',
      'Commands committed since the engine opened.',
      [`baton_engine_commands_total ${stats.commands}`],
    ),
    ...metric('baton_engine_batches_total', 'counter', 'Group commits since the engine opened.', [
      `baton_engine_batches_total ${stats.batches}`,
    ]),
    ...metric('baton_engine_commit_seconds_total', 'counter', 'Time spent in store commits.', [
      `baton_engine_commit_seconds_total ${(stats.commitMs / 1000).toFixed(6)}`,
    ]),
    ...metric('baton_process_instances', 'gauge', 'Process instances in the store by status.', [
      `baton_process_instances{status="active"} ${active}`,
      `baton_process_instances{status="completed"} ${completed}`,
      `baton_process_instances{status="terminated"} ${terminated}`,
    ]),
    ...metric(
      'baton_process_instances_with_incident',
      'gauge',
      'Active instances with an open incident.',
      [`baton_process_instances_with_incident ${withIncident}`],
    ),
    ...metric(
      'baton_process_definitions_not_loaded',
      'gauge',
      'Stored process definitions this version cannot compile (their instances wait).',
      [`baton_process_definitions_not_loaded ${engine.definitionsNotLoaded().length}`],
    ),
    ...metric('baton_job_activations_waiting', 'gauge', 'Long-polling job activations waiting.', [
      `baton_job_activations_waiting ${waitingActivations}`,
    ]),
    ...metric('process_uptime_seconds', 'gauge', 'Seconds since the server process started.', [
      `process_uptime_seconds ${process.uptime().toFixed(3)}`,
    ]),
    ...metric('process_resident_memory_bytes', 'gauge', 'Resident memory size.', [
      `process_resident_memory_bytes ${memory.rss}`,
    ]),
    ...http.lines(),
  ]
  return `${lines.join('\n')}\n`
}
