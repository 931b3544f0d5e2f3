import { nextTick } from 'vue'
import { ApiError } from './api'

/** Where a failed submit tells the user why: at the first invalid field (scrolled into view) and
 * in a short summary (a toast on the phone, a message in the console), never only at the top of a
 * long page. A 400 naming a field the form does not display shows the server's own message for it
 * instead of the generic "输入有误，请检查标出的字段". Shared by the mobile apps and the console. */

/** The server's generic words for a 400, which say nothing once the fields are known. */
export const GENERIC_400 = '输入有误，请检查标出的字段'

/** Error texts as each UI library renders them next to a field, plus the apps' own. */
export const FIELD_ERROR_SELECTOR = [
  '.van-field__error-message',
  '.el-form-item__error',
  '.field-error',
  '[data-field-error]',
].join(', ')

export type OnForm = (field: string) => boolean

/** The summary of a failure in one line: the messages of fields the form does not show, else the
 * first shown field's message ("… 等 3 处" when more are marked), else the error's message. */
export function errorSummary(e: unknown, onForm: OnForm = () => true): string {
  if (!(e instanceof ApiError)) return e instanceof Error ? e.message : String(e)
  const names = Object.keys(e.fields)
  const hidden = names.filter((n) => !onForm(n) && e.fieldError(n))
  if (hidden.length) return hidden.map((n) => e.fieldError(n)).join('；')
  const shown = names.filter((n) => e.fieldError(n))
  if (!shown.length) return e.message
  const first = e.fieldError(shown[0])
  return shown.length > 1 ? `${first}（共 ${shown.length} 处需修改）` : first
}

/** A form whose fields are named by prefixes ("vehicle." covers "vehicle.plate"). */
export function fieldsNamed(...names: string[]): OnForm {
  return (field) => names.some((n) => (n.endsWith('.') ? field.startsWith(n) : field === n || field.startsWith(`${n}.`)))
}

/** After the errors are rendered: scroll the first one on the page (in document order) into the
 * middle of the screen. Returns the element, or null when none is shown. */
export async function scrollToFirstError(root: ParentNode = document, selector = FIELD_ERROR_SELECTOR): Promise<Element | null> {
  await nextTick()
  const first = Array.from(root.querySelectorAll(selector)).find((el) => (el.textContent ?? '').trim() !== '') ?? null
  if (first) {
    const target = first.closest('.van-cell, .el-form-item') ?? first
    target.scrollIntoView?.({ block: 'center' })
  }
  return first
}

/** Both at once: scroll to the first marked field and hand the summary to `say` (a toast). */
export async function revealError(e: unknown, say: (text: string) => void, onForm: OnForm = () => true, root: ParentNode = document): Promise<string> {
  const text = errorSummary(e, onForm)
  await scrollToFirstError(root)
  say(text)
  return text
}
