import type { Directive } from 'vue'

function mark(el: HTMLElement, id: string): void {
  ;(el.querySelector('input, textarea') ?? el).setAttribute('data-testid', id)
}

/**
 * Vant's Field puts extra attributes on its wrapper; browser tests type into the native input,
 * so the test id goes there.
 */
export const vInputTestid: Directive<HTMLElement, string> = {
  mounted: (el, { value }) => mark(el, value),
  updated: (el, { value }) => mark(el, value),
}
