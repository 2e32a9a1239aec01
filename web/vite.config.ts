import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

/**
 * Writes `.br` and `.gz` beside each script and style sheet, once at build time: Tocsin serves
 * them (@fastify/static `preCompressed`) to browsers that accept them, so nothing compresses per request.
 */
function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'tocsin-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = join(config.root, config.build.outDir, config.build.assetsDir);
    },
    writeBundle() {
      for (const name of readdirSync(outDir)) {
        if (!/\.(js|css)$/.test(name)) continue;
        const body = readFileSync(join(outDir, name));
        writeFileSync(join(outDir, `${name}.gz`), gzipSync(body, { level: 9 }));
        writeFileSync(join(outDir, `${name}.br`), brotliCompressSync(body));
      }
    },
  };
}

// The console is built into web/dist during `npm ci` and served by Tocsin at `/` (never committed).
// `npm run dev:web` proxies the API to a running Tocsin (TOCSIN_URL, default http://127.0.0.1:8080).
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react(), precompress()],
  // `manifest`: the server reads it to preload the chunks of the page a link opens (src/http/console-hints.ts).
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 400, manifest: true },
  server: {
    proxy: {
      '/api': { target: process.env.TOCSIN_URL ?? 'http://127.0.0.1:8080', changeOrigin: false },
      '/auth': { target: process.env.TOCSIN_URL ?? 'http://127.0.0.1:8080', changeOrigin: false },
    },
  },
});
