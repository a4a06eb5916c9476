/** The example processes shipped in examples/ and the demo workers that make them run. */
import { readdir, readFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { DeployedDefinition } from '../runtime/definitions.ts'
import type { Engine } from '../runtime/engine.ts'

export const examplesDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../examples')

/** Deploys every example model (a no-op for unchanged ones). */
export async function deployExamples(engine: Engine): Promise<DeployedDefinition[]> {
  const files = (await readdir(examplesDir)).filter((f) => f.endsWith('.bpmn')).sort()
  return engine.deploy(
    await Promise.all(
      files.map(async (name) => ({ name, xml: await readFile(join(examplesDir, name), 'utf8') })),
    ),
  )
}

/** In-process workers for the examples' job types. */
export function startExampleWorkers(engine: Engine): void {
  engine.worker('check-order', (job) => ({ approved: Number(job.variables['total']) < 5000 }))
  engine.worker('charge-card', (job) => ({
    charged: (job.variables['order'] as { total: number }).total,
  }))
  engine.worker('notify-customer', () => ({ notified: true }))
  engine.worker('notify-manager', () => ({ managerNotified: true }))
  engine.worker('send-invoice', (job) => ({
    invoiceSentAt: new Date(engine.now()).toISOString(),
    invoice: job.variables['invoiceNumber'] ?? null,
  }))
  engine.worker('validate', () => ({ valid: true }))
  engine.worker('charge', () => ({ charged: true }))
  engine.worker('reserve', () => ({ reserved: true }))
}
