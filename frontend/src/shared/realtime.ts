import { tokenStore, type AppName } from './api'

/**
 * The data of a pushed event: its shape depends on the event name, which each handler checks before
 * reading it, so the payload is deliberately untyped at this boundary.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RealtimeData = any

/** What the server pushes (core.realtime.publish): an event name and its data. */
export type RealtimeHandler = (event: string, data: RealtimeData) => void

/**
 * Sent to the handler (with empty data) each time the stream is open: what was pushed before the
 * stream started is not replayed, so a page showing a count reloads it then and misses nothing.
 */
export const REALTIME_OPEN = 'realtime.open'

export interface RealtimeMessage {
  event: string
  data: RealtimeData
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

interface Hub {
  handlers: Set<RealtimeHandler>
  source: EventSource | null
  open: boolean
  stopped: boolean
  failures: number
}

/** One stream per app on a page, shared by every subscriber: the server caps open streams per user. */
const hubs = new Map<AppName, Hub>()

/**
 * Receive the pushes meant for the signed-in user on this host until the returned function is
 * called. The page's subscribers share one connection, opened with the first and closed with the
 * last. A ticket is fetched with the bearer token; the browser's EventSource reconnects by itself
 * and resumes from its Last-Event-ID. When the ticket or the stream is refused (expired, logged
 * out, too many streams open) a new one is fetched after a pause; without a token nothing is opened.
 */
export function subscribeRealtime(
  onEvent: RealtimeHandler,
  app: AppName = appFromPath(window.location.pathname),
  deps: Deps = { fetch: window.fetch.bind(window), EventSource: window.EventSource, setTimeout: window.setTimeout.bind(window) },
): () => void {
  const joined = hubs.get(app)
  if (joined) {
    joined.handlers.add(onEvent)
    if (joined.open) onEvent(REALTIME_OPEN, {})
    return () => leave(app, joined, onEvent)
  }
  const tokens = tokenStore(app)
  const hub: Hub = { handlers: new Set([onEvent]), source: null, open: false, stopped: false, failures: 0 }
  hubs.set(app, hub)
  const emit = (event: string, data: RealtimeData) => [...hub.handlers].forEach((fn) => fn(event, data))

  async function open(): Promise<void> {
    const token = tokens.get()
    if (hub.stopped || !token) return
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
    if (hub.stopped) return
    if (!url) {
      retry()
      return
    }
    const es = new deps.EventSource(url)
    hub.source = es
    es.onopen = () => {
      hub.failures = 0
      hub.open = true
      emit(REALTIME_OPEN, {})
    }
    es.onmessage = (e: MessageEvent) => {
      const message = parseMessage(String(e.data))
      if (message) emit(message.event, message.data)
    }
    es.onerror = () => {
      hub.open = false
      // CONNECTING: the browser retries by itself. CLOSED: the server refused the ticket.
      if (es.readyState === 2 && hub.source === es) {
        hub.source = null
        retry()
      }
    }
  }

  function retry() {
    hub.failures += 1
    deps.setTimeout(() => void open(), Math.min(30000, 1000 * 2 ** Math.min(hub.failures, 5)))
  }

  void open()
  return () => leave(app, hub, onEvent)
}

function leave(app: AppName, hub: Hub, onEvent: RealtimeHandler): void {
  hub.handlers.delete(onEvent)
  if (hub.handlers.size > 0 || hub.stopped) return
  hub.stopped = true
  hub.open = false
  hub.source?.close()
  hub.source = null
  if (hubs.get(app) === hub) hubs.delete(app)
}
