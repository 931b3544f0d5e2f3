/**
 * The console's inbox (消息): shop and insurer staff on the platform host, and the tenant's console
 * users on its host. A message's `link` is a console route (`/service-orders`, `/claims`,
 * `/shop-inventory`); anything else (an absolute URL, another app's path) is not followed.
 */
export function consoleRoute(link: string | null | undefined): string | null {
  if (!link || !link.startsWith('/') || link.startsWith('//')) return null
  return link
}

/** "2026-11-26T10:05:00+08:00" → "11-26 10:05" (the drawer is narrow). */
export function shortTime(iso: string): string {
  const m = /^\d{4}-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(iso)
  return m ? `${m[1]}-${m[2]} ${m[3]}:${m[4]}` : iso
}

interface Readable {
  id: number
  read_at?: string | null
}

/** The list after one message was read: that row replaced by the server's answer. */
export function replaceRead<T extends Readable>(rows: T[], read: T): T[] {
  return rows.map((row) => (row.id === read.id ? read : row))
}
