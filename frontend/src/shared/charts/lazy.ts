import { defineAsyncComponent } from 'vue'

/** The ECharts wrapper, loaded on first use: its chunk (ECharts + zrender) stays out of every app's first load. */
export const LazyEChart = defineAsyncComponent(() => import('./EChart.vue'))
