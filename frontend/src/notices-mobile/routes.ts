import type { RouteRecordRaw } from 'vue-router'

/** 消息: the inbox and announcements (agents), their detail, and the channel preferences; the
 * pages load when first opened. */
export const noticePages: RouteRecordRaw[] = [
  { path: '/messages', name: 'messages', component: () => import('./MessagesPage.vue') },
  { path: '/messages/announcements/:id', name: 'announcement', component: () => import('./AnnouncementPage.vue') },
  { path: '/messages/settings', name: 'notice-preferences', component: () => import('./PreferencesPage.vue') },
]

/** The owner H5's entry from the 公众号 menu (public: it logs the owner in). */
export const wechatEntryPage: RouteRecordRaw = {
  path: '/wechat',
  name: 'wechat-entry',
  component: () => import('./WeChatEntryPage.vue'),
  meta: { public: true },
}
