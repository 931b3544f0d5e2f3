import { createApp } from 'vue'
import type { Component } from 'vue'
import type { RouteRecordRaw } from 'vue-router'
import type { AppName } from '../api'
import { createShell } from '../shell'
import { type GridEntry, MOBILE } from './context'
import HomePage from './HomePage.vue'
import LoginPage from './LoginPage.vue'
import MinePage from './MinePage.vue'
import MobileShell from './MobileShell.vue'
import SoonPage from './SoonPage.vue'

/** The owner H5 and the agent app share one shell; each names its role and its entries. */
export async function createMobileApp(options: {
  app: AppName
  roleLabel: string
  allowSms: boolean
  entries: GridEntry[]
  /** shown on the home page above the tiles */
  homeTop?: Component
  /** the app's own pages, reached from its grid entries */
  pages?: RouteRecordRaw[]
}): Promise<void> {
  const { brand, router, session } = createShell(options.app, [
    { path: '/login', name: 'login', component: LoginPage, meta: { public: true } },
    { path: '/', name: 'home', component: HomePage },
    { path: '/mine', name: 'mine', component: MinePage },
    { path: '/soon/:key', name: 'soon', component: SoonPage },
    ...(options.pages ?? []),
  ])
  await brand.load().catch(() => undefined)
  const app = createApp(MobileShell)
  app.provide(MOBILE, { ...options, session, brand })
  app.use(router)
  app.mount('#app')
}
