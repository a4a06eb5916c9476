import type { TestContext } from 'node:test'

/**
 * Skips a test loudly when something it needs is missing (the shared corpora, a server), unless
 * BATON_REQUIRE_SERVICES=1 (as CI sets it): then the missing part is a failure, never a skip.
 */
export function skipUnlessRequired(t: TestContext, why: string): void {
  if (process.env['BATON_REQUIRE_SERVICES'] === '1') {
    throw new Error(`required but missing (BATON_REQUIRE_SERVICES=1): ${why}`)
  }
  console.warn(`SKIPPED: ${t.name}: ${why}`)
  t.skip(why)
}
