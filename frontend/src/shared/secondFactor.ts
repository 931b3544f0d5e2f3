import { ref } from 'vue'
import { ApiError } from './api'
import { ErrorCode } from './errorCodes'
import type { Session } from './session'

/**
 * Password login with the second step admins, finance and the platform admin need: the first
 * submit answers 401 `otp_required` (an SMS code was sent, or the authenticator's code is asked);
 * `hint` then holds the server's message, the page shows a code field bound to `otp`, and the next
 * `login` posts the code. Any other failure (a wrong or expired code too) is thrown for the page to show.
 */
export function usePasswordLogin(session: Pick<Session, 'loginWithPassword'>) {
  const hint = ref('')
  const otp = ref('')

  /** True when signed in; false when the server asked for the code (`hint` is set). */
  async function login(mobile: string, password: string): Promise<boolean> {
    try {
      await session.loginWithPassword(mobile, password, hint.value ? otp.value.trim() : '')
      return true
    } catch (e) {
      if (e instanceof ApiError && e.code === ErrorCode.otp_required) {
        hint.value = e.message
        return false
      }
      throw e
    }
  }

  /** Another account or another way of logging in: start from the password again. */
  function reset() {
    hint.value = ''
    otp.value = ''
  }

  return { hint, otp, login, reset }
}
