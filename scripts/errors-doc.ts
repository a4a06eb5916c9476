// Regenerates docs/errors.md from the catalogue in src/errors.ts (src/errors.test.ts checks they agree).
import { writeFileSync } from 'node:fs'
import { ErrorCatalogue } from '../src/errors.ts'

const lines = [
  '# Errors',
  '',
  'Every error a user can cause carries one of these codes (`BatonError.code` in the API; the',
  '`code` member of the problem+json body of the REST API). The message says what was wrong,',
  'where, and what to do. `src/errors.test.ts` keeps this page and `src/errors.ts` in step;',
  '`node --import tsx scripts/errors-doc.ts` rewrites it.',
  '',
  '| code | HTTP status | meaning |',
  '|---|---|---|',
  ...Object.entries(ErrorCatalogue).map(
    ([code, e]) => `| \`${code}\` | ${e.status} | ${e.title} |`,
  ),
]
writeFileSync(new URL('../docs/errors.md', import.meta.url), lines.join('\n') + '\n')
