import { ref } from 'vue'
import { ApiError } from '../api'

/** A form's server errors: the message on top, each field's first message by its name. */
export function useFormErrors() {
  const message = ref('')
  const errors = ref<Record<string, string>>({})
  function show(e: unknown) {
    message.value = e instanceof Error ? e.message : String(e)
    errors.value = {}
    if (e instanceof ApiError) for (const k of Object.keys(e.fields)) errors.value[k] = e.fieldError(k)
  }
  function clear() {
    message.value = ''
    errors.value = {}
  }
  return { message, errors, show, clear }
}
