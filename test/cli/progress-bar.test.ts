import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { ProgressStream } from '../../src/cli/progress-bar.ts'
import { ProgressBar } from '../../src/cli/progress-bar.ts'

function stream(isTTY: boolean, columns = 60): ProgressStream & { written: string } {
  return {
    isTTY,
    columns,
    written: '',
    write(chunk: string) {
      this.written += chunk
      return true
    },
  }
}

describe('cli/progress-bar', () => {
  it('redraws one line in place on a terminal, and keeps logged lines above it', () => {
    const tty = stream(true)
    const bar = new ProgressBar(tty)
    bar.start(4, 'deploying')
    bar.status('a.bpmn')
    bar.log('a.bpmn: deployed')
    bar.tick()
    bar.finish()
    const frames = tty.written.split('\r').filter(Boolean)
    assert.deepEqual(frames, [
      'deploying [------------------------]   0% 0/4\x1b[K',
      'deploying [------------------------]   0% 0/4  a.bpmn\x1b[K',
      '\x1b[Ka.bpmn: deployed\n',
      'deploying [------------------------]   0% 0/4  a.bpmn\x1b[K',
      'deploying [######------------------]  25% 1/4  a.bpmn\x1b[K',
      '\x1b[K',
    ])
  })

  it('clears the bar for a line printed to another stream, and draws it again after', () => {
    // given a bar on stdout, and stderr on the same terminal
    const tty = stream(true)
    const bar = new ProgressBar(tty)
    bar.start(2, 'deploying')
    let cleared: boolean | undefined

    // when a warning goes to stderr
    bar.aside(() => (cleared = tty.written.endsWith('\r\x1b[K')))

    // then the bar was gone while it was printed, and is back
    assert.equal(cleared, true)
    assert.equal(
      tty.written.split('\r').at(-1),
      'deploying [------------------------]   0% 0/2\x1b[K',
    )
  })

  it('never draws past the width of the terminal', () => {
    const tty = stream(true, 40)
    const bar = new ProgressBar(tty)
    bar.start(2, 'deploying')
    bar.status('a-very-long-folder-name/with-a-long-file-name.bpmn')
    const last = tty.written.split('\r').at(-1) ?? ''
    assert.equal(last.replace('\x1b[K', '').length, 39)
    assert.ok(last.includes('…'))
  })

  it('draws nothing when the stream is not a terminal, but still prints logged lines', () => {
    const pipe = stream(false)
    const bar = new ProgressBar(pipe)
    bar.start(2, 'deploying')
    bar.status('a.bpmn')
    bar.log('a.bpmn: deployed')
    bar.tick()
    bar.finish()
    assert.equal(pipe.written, 'a.bpmn: deployed\n')
  })
})
