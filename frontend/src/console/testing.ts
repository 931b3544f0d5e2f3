// Shared by the console's page tests: fake API answers and DOM lookups by data-testid.
import { flushPromises } from '@vue/test-utils'

export const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

/** A DRF page of results. */
export const page = (results: unknown[]) => ({ count: results.length, next: null, previous: null, results })

export const byTestId = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`)!
export const allByTestId = (id: string) => [...document.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`)]

/** The error Element Plus shows under the form item holding ``id``. */
export const errorNextTo = (id: string) =>
  byTestId(id).closest('.el-form-item')?.querySelector('.el-form-item__error')?.textContent?.trim()

/** Element Plus shows a form item's error after a 100 ms debounce. */
export const settle = async () => {
  await flushPromises()
  await new Promise((r) => setTimeout(r, 150))
}
