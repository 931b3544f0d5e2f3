import { onBeforeUnmount, onMounted } from 'vue'
import type { AppName } from './api'
import { REALTIME_OPEN, type RealtimeData, subscribeRealtime } from './realtime'

/** A page that shows something others change (the agent cancels a quote, a shop redeems a gift
 * pack, a read receipt arrives) stays true without a reload: it reloads when a push says its data
 * changed (`about(event, data)`), when the push stream (re)opens (what was pushed before is not
 * replayed), and when the user comes back to the tab or the WeChat webview (pushes can be missed
 * while a phone sleeps). */
export function useFresh(load: () => unknown, about: (event: string, data: RealtimeData) => boolean, app?: AppName) {
  let stop = () => {}
  const onVisible = () => {
    if (document.visibilityState === 'visible') void load()
  }
  onMounted(() => {
    stop = subscribeRealtime((event, data) => {
      if (event === REALTIME_OPEN || about(event, data)) void load()
    }, app)
    document.addEventListener('visibilitychange', onVisible)
  })
  onBeforeUnmount(() => {
    stop()
    document.removeEventListener('visibilitychange', onVisible)
  })
}
