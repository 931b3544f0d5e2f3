// Runs before every vitest file (vite.config.ts test.setupFiles).
import { afterAll } from 'vitest'

// Vant's useHeight (submit bar, tab bar, action bar with a safe-area placeholder) measures again
// 100, 200 and 300 ms after mounting and never cancels those timers. When a file's last test ends
// sooner, they fire after the DOM environment is gone ("window is not defined", an unhandled error
// that fails the run; CI hit it in OrderFlow.test.ts). Timers still pending when a file's tests are
// all done belong to no test: cancel them.
const pending = new Set<ReturnType<typeof setTimeout>>()
const realSetTimeout = globalThis.setTimeout
const realClearTimeout = globalThis.clearTimeout

globalThis.setTimeout = ((handler: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
  const handle = realSetTimeout(
    (...inner: unknown[]) => {
      pending.delete(handle)
      if (typeof handler === 'function') handler(...inner)
    },
    ms,
    ...args,
  )
  pending.add(handle)
  return handle
}) as typeof setTimeout

globalThis.clearTimeout = ((handle: ReturnType<typeof setTimeout> | undefined) => {
  if (handle !== undefined) pending.delete(handle)
  realClearTimeout(handle)
}) as typeof clearTimeout

afterAll(() => {
  for (const handle of pending) realClearTimeout(handle)
  pending.clear()
})
