import { afterEach, describe, expect, it, vi } from 'vitest'
import { DownloadError, downloadFile } from './download'

const session = { tokens: { get: () => 'tok-1' } }

afterEach(() => vi.restoreAllMocks())

function spyAnchor() {
  const clicked: { href: string; download: string }[] = []
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    clicked.push({ href: this.href, download: this.download })
  })
  return clicked
}

describe('downloadFile', () => {
  it('fetches with the token and the non-empty query, and saves the body under the name', async () => {
    const fetchMock = vi.fn(async () => new Response(new Blob(['xlsx-bytes']), { status: 200 }))
    vi.stubGlobal('fetch', fetchMock)
    vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:file-1')
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => undefined)
    const clicked = spyAnchor()
    await downloadFile(session, '/api/v1/customers/export/', '客户.xlsx', { search: '张', promoter: '' })
    expect(fetchMock).toHaveBeenCalledWith('/api/v1/customers/export/?search=%E5%BC%A0', {
      headers: { Authorization: 'Bearer tok-1' },
    })
    expect(clicked).toEqual([{ href: 'blob:file-1', download: '客户.xlsx' }])
  })

  it('on a refusal throws the server message and saves nothing (the error body is not a file)', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => Response.json({ code: 'forbidden', message: '只有管理员可以导出代理人', fields: {} }, { status: 403 })),
    )
    const created = vi.spyOn(URL, 'createObjectURL')
    const clicked = spyAnchor()
    const err = await downloadFile(session, '/api/v1/network/agents/export/', '代理人.xlsx').catch((e) => e)
    expect(err).toBeInstanceOf(DownloadError)
    expect(err.message).toBe('只有管理员可以导出代理人')
    expect(err.status).toBe(403)
    expect(created).not.toHaveBeenCalled()
    expect(clicked).toEqual([])
  })

  it('names the status when the refusal has no JSON body (a proxy 502)', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response('<html>bad gateway</html>', { status: 502 })))
    await expect(downloadFile(session, '/x/', 'x.pdf')).rejects.toThrow('下载失败（502）')
  })

  it('appends the query to a path that already has one', async () => {
    const fetchMock = vi.fn(async () => new Response('pdf', { status: 200 }))
    vi.stubGlobal('fetch', fetchMock)
    vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:2')
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => undefined)
    spyAnchor()
    await downloadFile({ tokens: { get: () => null } }, '/s/?file=pdf', 's.pdf', { lang: 'zh' })
    expect(fetchMock).toHaveBeenCalledWith('/s/?file=pdf&lang=zh', { headers: {} })
  })
})
