import { ref } from 'vue'
import { unwrap } from '@shared/api'
import { REALTIME_OPEN, subscribeRealtime, type RealtimeHandler } from '@shared/realtime'
import type { Session } from '@shared/session'

/** Pushes that change what is unread (notices.services publishes them to the user's channel). */
export const NOTICE_EVENTS = ['notices.announcement', 'notices.notification', 'notices.read']

export function isNoticeEvent(event: string): boolean {
  return NOTICE_EVENTS.includes(event)
}

/** What the tab's badge shows: nothing at 0, the count up to 99, then 99+. */
export function badgeText(total: number): string {
  if (!total || total < 0) return ''
  return total > 99 ? '99+' : String(total)
}

/** The server's counts; a bare number is the total alone. */
export type UnreadCounts = number | { total: number; announcements: number }

/**
 * The unread count of the signed-in user, shared by the tab and the pages: loaded once, then
 * refreshed whenever the server pushes a notice event (no polling, no reload). ``announcements``
 * is the unread 政策推送 alone (the agent's 政策 tile carries its own badge).
 */
export function createUnread(load: () => Promise<UnreadCounts>, subscribe = subscribeRealtime) {
  const total = ref(0)
  const announcements = ref(0)
  const listeners = new Set<RealtimeHandler>()
  let stop: (() => void) | null = null

  async function refresh(): Promise<void> {
    try {
      const counts = await load()
      if (typeof counts === 'number') {
        total.value = counts
      } else {
        total.value = counts.total
        announcements.value = counts.announcements
      }
    } catch {
      /* keep the last count: the next push or visit refreshes it */
    }
  }

  function start(): void {
    if (stop) return
    void refresh()
    stop = subscribe((event, data) => {
      // a notice committed before the stream opened is never pushed: count again once it is open
      if (event === REALTIME_OPEN) return void refresh()
      if (!isNoticeEvent(event)) return
      void refresh()
      listeners.forEach((fn) => fn(event, data))
    })
  }

  function dispose(): void {
    stop?.()
    stop = null
  }

  /** Pages that show lists reload on pushes too. */
  function onPush(fn: RealtimeHandler): () => void {
    listeners.add(fn)
    return () => listeners.delete(fn)
  }

  return { total, announcements, refresh, start, dispose, onPush }
}

let shared: ReturnType<typeof createUnread> | null = null

export function useUnread(session: Session) {
  if (!shared) {
    shared = createUnread(async () => unwrap(session.client.GET('/api/v1/notices/unread/')))
  }
  return shared
}
