import { fileURLToPath, URL } from 'node:url'
import vue from '@vitejs/plugin-vue'
import { VantResolver } from '@vant/auto-import-resolver'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'
import { defineConfig } from 'vitest/config'

// Three entries share src/shared. Components (and only their CSS) are imported on demand.
export default defineConfig({
  base: '/static/app/',
  plugins: [
    vue(),
    Components({
      dts: 'src/components.d.ts',
      resolvers: [VantResolver(), ElementPlusResolver({ importStyle: 'css' })],
    }),
  ],
  resolve: { alias: { '@shared': fileURLToPath(new URL('./src/shared', import.meta.url)) } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    rolldownOptions: {
      input: {
        owner: fileURLToPath(new URL('./owner.html', import.meta.url)),
        agent: fileURLToPath(new URL('./agent.html', import.meta.url)),
        console: fileURLToPath(new URL('./console.html', import.meta.url)),
      },
      // Vue and the router are shared by all three apps: one long-cached chunk with an honest name
      output: {
        codeSplitting: {
          groups: [{ name: 'vue', test: /node_modules[\\/](@vue|vue|vue-router)[\\/]/ }],
        },
      },
    },
  },
  server: {
    // `npm run dev` talks to the Django server of `make run`
    proxy: { '/api': { target: 'http://localhost:8000', changeOrigin: false } },
  },
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.test.ts'],
    setupFiles: ['src/test-setup.ts'],
    // CI shares two cores with PostgreSQL, Chromium and the workers: a page test that mounts Element
    // Plus can take several seconds there. Tests wait for state (vi.waitFor), so a longer cap only
    // matters when something is really stuck.
    testTimeout: 30_000,
    // component tests import Vant's and Element Plus' per-component CSS; let Vite (not Node) load those modules
    server: { deps: { inline: ['vant', 'element-plus'] } },
  },
})
