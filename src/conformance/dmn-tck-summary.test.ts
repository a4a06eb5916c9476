import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { TckCase } from './dmn-tck.ts'
import { folderTable, readVendorResults } from './dmn-tck-summary.ts'

const tckCase = (folder: string, id: string, status: TckCase['status']): TckCase => ({
  level: 3,
  folder,
  file: `${folder}-test-01`,
  id,
  status,
  nullOnly: false,
  message: '',
})

describe('conformance/dmn-tck-summary', () => {
  it('puts Baton and a vendor CSV side by side per folder, matching cases by folder, file and id', () => {
    // given two folders run by Baton and a vendor CSV in the TCK's format (with a quoted comma)
    const cases = [
      tckCase('0001-a', '001', 'SUCCESS'),
      tckCase('0001-a', '002', 'ERROR'),
      tckCase('0002-b', '001', 'SUCCESS'),
      tckCase('0076-java', '001', 'IGNORED'),
    ]
    const vendor = readVendorResults(
      'Other',
      [
        '"compliance-level-3/0001-a","0001-a-test-01","001","ERROR","bad, very"',
        '"compliance-level-3/0001-a","0001-a-test-01","002","SUCCESS",""',
        '"compliance-level-3/0002-b","0002-b-test-01","001","SUCCESS",""',
      ].join('\n'),
    )

    // when
    const table = folderTable(cases, [vendor])

    // then
    assert.equal(
      table,
      [
        '| level | folder | cases | Baton | Other |',
        '|---|---|---:|---:|---:|',
        '| 3 | 0001-a | 2 | 1 | 1 |',
        '| 3 | 0002-b | 1 | 1 | 1 |',
        '| 3 | 0076-java | 0 | ignored | ignored |',
        '| | **all** | **3** | **2** | **2** |',
        '',
      ].join('\n'),
    )
  })
})
