import { openPostgresPool } from '../../src/store/postgres/postgres-pool.ts'

/** The PostgreSQL server the tests use (this machine's, unless BATON_TEST_POSTGRES_URL says another). */
export const testPostgresUrl =
  process.env['BATON_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test'

/** Why the server cannot be used (for skipUnlessRequired), or undefined when it answers. */
export async function postgresUnreachable(url = testPostgresUrl): Promise<string | undefined> {
  const pool = openPostgresPool(url, 1)
  try {
    await pool.query({ text: 'SELECT 1' })
    return undefined
  } catch (error) {
    const cause = error instanceof Error ? error.message || error.name : String(error)
    return `PostgreSQL at ${withoutPassword(url)} is unreachable (${cause}); start it or set BATON_TEST_POSTGRES_URL`
  } finally {
    await pool.end()
  }
}

function withoutPassword(address: string): string {
  try {
    const parsed = new URL(address)
    if (parsed.password !== '') parsed.password = '***'
    return parsed.toString()
  } catch {
    return address
  }
}
