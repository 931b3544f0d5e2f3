import { ref, type Ref } from 'vue'

/** One page of a list endpoint (DRF's page-number pagination). */
export interface Page<Row> {
  results: Row[]
  count: number
}

export interface PagedListOptions<Row> {
  /** Fetch page `page` (1-based) with `pageSize` rows, reading the page's current filters. */
  fetch: (page: number, pageSize: number) => Promise<Page<Row>>
  pageSize?: number
  /** Told a failed load's error (the page toasts it); the rows stay as they were. */
  onError?: (e: unknown) => void
}

export interface PagedList<Row> {
  rows: Ref<Row[]>
  total: Ref<number>
  page: Ref<number>
  pageSize: number
  loading: Ref<boolean>
  /** Load the current page again (after a change, or from the pager's current-change). */
  load: () => Promise<void>
  /** The filters changed: back to page 1 and load. */
  search: () => Promise<void>
  /** 1-based position of a row of this page in the whole list (the 序号 column). */
  rowNumber: (index: number) => number
}

/**
 * The rows, total, page and loading flag of a filtered, paged list page, loaded through `fetch`.
 * A load that finishes after a newer one started is dropped, so paging quickly or changing a filter
 * while a page is loading never shows an older answer over a newer one.
 */
export function usePagedList<Row>(opts: PagedListOptions<Row>): PagedList<Row> {
  const pageSize = opts.pageSize ?? 20
  const rows = ref<Row[]>([]) as Ref<Row[]>
  const total = ref(0)
  const page = ref(1)
  const loading = ref(false)
  let latest = 0

  async function load(): Promise<void> {
    const mine = ++latest
    loading.value = true
    try {
      const data = await opts.fetch(page.value, pageSize)
      if (mine !== latest) return
      rows.value = data.results
      total.value = data.count
    } catch (e) {
      if (mine === latest) opts.onError?.(e)
    } finally {
      if (mine === latest) loading.value = false
    }
  }

  function search(): Promise<void> {
    page.value = 1
    return load()
  }

  return { rows, total, page, pageSize, loading, load, search, rowNumber: (i) => (page.value - 1) * pageSize + i + 1 }
}
