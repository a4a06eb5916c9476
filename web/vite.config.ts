// The web app's build: `npm run build` runs it from the package root, writing dist/web.
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

export default defineConfig({
  root: 'web',
  base: '/',
  plugins: [react()],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    chunkSizeWarningLimit: 4096,
    sourcemap: false,
    // Lists each chunk's static and lazy imports: a test checks what the first load pulls in.
    manifest: true,
  },
  server: {
    proxy: { '/v2': 'http://127.0.0.1:8080', '/baton': 'http://127.0.0.1:8080' },
  },
})
