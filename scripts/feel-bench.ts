/**
 * Measures evaluations per second of a typical condition, naive (feelin parses on every call)
 * against the compiled expression. Not a test: `node --import tsx src/feel/compile.bench.ts`.
 */
import { evaluate } from 'feelin'
import { compileExpression } from '../src/feel/compile.ts'
const src = 'amount > 1000 and customer.tier = "gold"'
const vars = { amount: 2000, customer: { tier: 'gold' } }
function rate(label: string, n: number, f: () => unknown) {
  for (let i = 0; i < Math.min(n, 10000); i++) f()
  const t = performance.now()
  for (let i = 0; i < n; i++) f()
  const s = (performance.now() - t) / 1000
  console.log(label, Math.round(n / s).toLocaleString('en'), 'evals/s')
}
rate('naive feelin evaluate()', 30000, () => evaluate(src, vars))
const r = compileExpression(src)
if (!r.ok) throw new Error(r.error)
console.log(r.expression.evaluate(vars))
rate('compiled evaluate()', 3000000, () => r.expression.evaluate(vars))
rate('compiled evaluate() with clock option', 3000000, () =>
  r.expression.evaluate(vars, { now: () => new Date(0) }),
)
