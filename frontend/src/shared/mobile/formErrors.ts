import 'vant/es/toast/style'
import { showToast } from 'vant'
import { ref } from 'vue'
import { ApiError } from '../api'
import { errorSummary, type OnForm, scrollToFirstError } from '../errorFeedback'

/** A form's server errors: the message on top, each field's first message by its name. `reveal`
 * also takes the user's eyes there: the first marked field scrolls into view and a toast says why
 * (the server's own words for a field the form does not show). */
export function useFormErrors(onForm: OnForm = () => true) {
  const message = ref('')
  const errors = ref<Record<string, string>>({})
  function show(e: unknown) {
    message.value = e instanceof ApiError ? errorSummary(e, onForm) : e instanceof Error ? e.message : String(e)
    errors.value = {}
    if (e instanceof ApiError) for (const k of Object.keys(e.fields)) errors.value[k] = e.fieldError(k)
  }
  async function reveal(e: unknown) {
    show(e)
    await scrollToFirstError()
    showToast({ message: message.value, wordBreak: 'break-word', duration: 3000 })
  }
  function clear() {
    message.value = ''
    errors.value = {}
  }
  return { message, errors, show, reveal, clear }
}
