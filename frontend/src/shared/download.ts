/** What a download needs of a session: its access token. */
export interface TokenHolder {
  tokens: { get(): string | null }
}

/** A refused download: the server's message (its {code, message, fields} body) and the status. */
export class DownloadError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message)
    this.name = 'DownloadError'
  }
}

/**
 * The one way the apps download a file: fetch `path` (with `query`, empty values left out) with the
 * session's token, and hand the body to the browser under `filename`. A refusal (any status that is
 * not ok) throws a DownloadError carrying the server's message, never saves the error body as a file.
 */
export async function downloadFile(
  session: TokenHolder,
  path: string,
  filename: string,
  query: Record<string, string> = {},
): Promise<void> {
  const params = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== '')).toString()
  const url = params ? `${path}${path.includes('?') ? '&' : '?'}${params}` : path
  const token = session.tokens.get()
  const response = await fetch(url, { headers: token ? { Authorization: `Bearer ${token}` } : {} })
  if (!response.ok) {
    const body = await response.json().catch(() => ({}))
    const message = typeof body?.message === 'string' && body.message ? body.message : `下载失败（${response.status}）`
    throw new DownloadError(message, response.status)
  }
  const href = URL.createObjectURL(await response.blob())
  const a = document.createElement('a')
  a.href = href
  a.download = filename
  a.click()
  URL.revokeObjectURL(href)
}
