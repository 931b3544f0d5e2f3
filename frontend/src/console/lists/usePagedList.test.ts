import { describe, expect, it, vi } from 'vitest'
import { type Page, usePagedList } from './usePagedList'

/** A fetch whose answers the test releases by hand, in any order. */
function controlled() {
  const pending: { page: number; size: number; resolve: (p: Page<string>) => void; reject: (e: unknown) => void }[] = []
  const fetch = (page: number, size: number) =>
    new Promise<Page<string>>((resolve, reject) => pending.push({ page, size, resolve, reject }))
  return { fetch, pending }
}

describe('usePagedList', () => {
  it('loads the current page with the page size, then shows its rows and the total', async () => {
    const { fetch, pending } = controlled()
    const list = usePagedList({ fetch, pageSize: 20 })
    list.page.value = 3
    const done = list.load()
    expect(list.loading.value).toBe(true)
    expect(pending.map((p) => [p.page, p.size])).toEqual([[3, 20]])
    pending[0].resolve({ results: ['a', 'b'], count: 42 })
    await done
    expect(list.rows.value).toEqual(['a', 'b'])
    expect(list.total.value).toBe(42)
    expect(list.loading.value).toBe(false)
    // row 2 of page 3 at 20 a page is the 42nd
    expect(list.rowNumber(1)).toBe(42)
  })

  it('search goes back to page 1', async () => {
    const { fetch, pending } = controlled()
    const list = usePagedList({ fetch })
    list.page.value = 5
    const done = list.search()
    expect(list.page.value).toBe(1)
    expect(pending[0].page).toBe(1)
    pending[0].resolve({ results: [], count: 0 })
    await done
  })

  it('drops an older answer that arrives after a newer one (quick paging)', async () => {
    const { fetch, pending } = controlled()
    const list = usePagedList({ fetch })
    list.page.value = 1
    const first = list.load()
    list.page.value = 2
    const second = list.load()
    pending[1].resolve({ results: ['page 2'], count: 30 })
    await second
    expect(list.loading.value).toBe(false)
    pending[0].resolve({ results: ['page 1'], count: 30 })
    await first
    expect(list.rows.value).toEqual(['page 2'])
    expect(list.loading.value).toBe(false)
  })

  it('tells onError of a failure and keeps the rows it had', async () => {
    const { fetch, pending } = controlled()
    const onError = vi.fn()
    const list = usePagedList({ fetch, onError })
    const ok = list.load()
    pending[0].resolve({ results: ['x'], count: 1 })
    await ok
    const failed = list.load()
    pending[1].reject(new Error('服务暂不可用'))
    await failed
    expect(onError).toHaveBeenCalledWith(new Error('服务暂不可用'))
    expect(list.rows.value).toEqual(['x'])
    expect(list.loading.value).toBe(false)
  })
})
