import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The console is built into web/dist during `npm ci` and served by Tocsin at `/` (never committed).
// `npm run dev:web` proxies the API to a running Tocsin (TOCSIN_URL, default http://127.0.0.1:8080).
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 400 },
  server: {
    proxy: {
      '/api': { target: process.env.TOCSIN_URL ?? 'http://127.0.0.1:8080', changeOrigin: false },
      '/auth': { target: process.env.TOCSIN_URL ?? 'http://127.0.0.1:8080', changeOrigin: false },
    },
  },
});
