import { tokenStore, type AppName } from './api'

/** What the server pushes (core.realtime.publish): an event name and its data. */
export type RealtimeHandler = (event: string, data: any) => void

/**
 * Sent to the handler (with empty data) each time the stream is open: what was pushed before the
 * stream started is not replayed, so a page showing a count reloads it then and misses nothing.
 */
export const REALTIME_OPEN = 'realtime.open'

export interface RealtimeMessage {
  event: string
  data: any
  at?: string
}

/** The app whose token this page holds, from where it is served (/agent/, /console/, else the H5). */
export function appFromPath(pathname: string): AppName {
  if (pathname.startsWith('/agent')) return 'agent'
  if (pathname.startsWith('/console')) return 'console'
  return 'owner'
}

/** Parse one SSE message's data; anything not shaped like {event, data} is ignored. */
export function parseMessage(raw: string): RealtimeMessage | null {
  try {
    const body = JSON.parse(raw)
    if (body && typeof body === 'object' && typeof body.event === 'string') return body as RealtimeMessage
  } catch {
    /* a malformed line is skipped */
  }
  return null
}

interface Deps {
  fetch: typeof fetch
  EventSource: typeof EventSource
  setTimeout: (fn: () => void, ms: number) => unknown
}

/**
 * Receive the pushes meant for the signed-in user on this host until the returned function is
 * called. A ticket is fetched with the bearer token; the browser's EventSource reconnects by itself
 * and resumes from its Last-Event-ID. When the ticket is refused (expired, logged out) a new one is
 * fetched after a pause; without a token nothing is opened.
 */
export function subscribeRealtime(
  onEvent: RealtimeHandler,
  app: AppName = appFromPath(window.location.pathname),
  deps: Deps = { fetch: window.fetch.bind(window), EventSource: window.EventSource, setTimeout: window.setTimeout.bind(window) },
): () => void {
  const tokens = tokenStore(app)
  let source: EventSource | null = null
  let stopped = false
  let failures = 0

  async function open(): Promise<void> {
    const token = tokens.get()
    if (stopped || !token) return
    let url: string | null = null
    try {
      const res = await deps.fetch(`${window.location.origin}/api/v1/realtime/ticket/`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}` },
      })
      if (res.ok) url = (await res.json()).url
      else if (res.status === 401) return // logged out: the app's own 401 handling takes over
    } catch {
      url = null
    }
    if (stopped) return
    if (!url) {
      retry()
      return
    }
    const es = new deps.EventSource(url)
    source = es
    es.onopen = () => {
      failures = 0
      onEvent(REALTIME_OPEN, {})
    }
    es.onmessage = (e: MessageEvent) => {
      const message = parseMessage(String(e.data))
      if (message) onEvent(message.event, message.data)
    }
    es.onerror = () => {
      // CONNECTING: the browser retries by itself. CLOSED: the server refused the ticket.
      if (es.readyState === 2 && source === es) {
        source = null
        retry()
      }
    }
  }

  function retry() {
    failures += 1
    deps.setTimeout(() => void open(), Math.min(30000, 1000 * 2 ** Math.min(failures, 5)))
  }

  void open()
  return () => {
    stopped = true
    source?.close()
    source = null
  }
}
