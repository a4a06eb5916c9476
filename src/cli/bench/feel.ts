/**
 * The `feel` scenario: evaluations per second of a typical gateway condition through Baton's FEEL
 * API, the way the engine evaluates conditions: compiled once, then evaluated against each
 * instance's variables with the engine's clock option.
 */
import { compileExpression } from '../../feel/compile.ts'
import type { EvaluateOptions } from '../../feel/types.ts'

export interface FeelFigures {
  readonly expression: string
  readonly evaluations: number
  readonly seconds: number
  readonly evaluationsPerSecond: number
  /** Per second of this process's CPU time: steadier than the wall figure on a shared machine. */
  readonly evaluationsPerCpuSecond: number
  /** Issue 8's target, evaluations per second. */
  readonly target: number
}

export const feelCondition = 'amount > 1000 and customer.tier = "gold"'

/**
 * Evaluates {@link feelCondition} `evaluations` times over rotating inputs (true and false
 * outcomes both occur), after `warmup` evaluations that are not counted, and checks every result.
 */
export function benchFeel(options: { evaluations: number; warmup: number }): FeelFigures {
  const compiled = compileExpression(feelCondition)
  if (!compiled.ok) throw new Error(compiled.error)
  const expression = compiled.expression
  const tiers = ['gold', 'silver', 'gold', 'bronze']
  const inputs = Array.from({ length: 64 }, (_, i) => ({
    amount: (i * 397) % 2000,
    customer: { tier: tiers[i % tiers.length], id: i },
  }))
  const expected = inputs.map((v) => v.amount > 1000 && v.customer.tier === 'gold')
  // the engine passes its virtual clock on every evaluation (step.feelOptions)
  const feelOptions: EvaluateOptions = { now: () => new Date(0) }
  const run = (count: number): void => {
    for (let i = 0; i < count; i++) {
      const slot = i & 63
      const result = expression.evaluate(inputs[slot] as (typeof inputs)[number], feelOptions)
      if (!result.ok || result.value !== expected[slot]) {
        throw new Error(`${feelCondition} gave ${JSON.stringify(result)} for input ${slot}`)
      }
    }
  }
  run(options.warmup)
  const cpu = process.cpuUsage()
  const t0 = performance.now()
  run(options.evaluations)
  const seconds = (performance.now() - t0) / 1000
  const used = process.cpuUsage(cpu)
  return {
    expression: feelCondition,
    evaluations: options.evaluations,
    seconds: Math.round(seconds * 1000) / 1000,
    evaluationsPerSecond: Math.round(options.evaluations / seconds),
    evaluationsPerCpuSecond: Math.round(options.evaluations / ((used.user + used.system) / 1e6)),
    target: 500_000,
  }
}
