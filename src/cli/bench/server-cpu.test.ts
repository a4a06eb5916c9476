import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { processCpuMs } from './server-cpu.ts'

describe('cli/bench/server-cpu', () => {
  it('reads the CPU time of a running process, which grows as it works', (t) => {
    const before = processCpuMs([process.pid]).get(process.pid)
    if (before === undefined) return t.skip('no /proc here (not Linux)')
    // Spin until this process has used 60 ms of CPU (not of wall time: a loaded machine may give
    // it only a part of each millisecond). /proc counts in ticks of 10 ms.
    const cpu = process.cpuUsage()
    let spin = 0
    while (process.cpuUsage(cpu).user < 60_000) spin++
    const after = processCpuMs([process.pid]).get(process.pid)
    assert.ok(spin > 0)
    assert.ok(after !== undefined && after >= before + 40, `${before} -> ${after} ms`)
  })

  it('leaves out a process that is not running', () => {
    // Above the kernel's largest pid (2^22), so no process can have it.
    assert.deepEqual([...processCpuMs([2 ** 23]).keys()], [])
  })
})
