import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// Component tests of the console (jsdom), apart from the server's suite: `npm run test:web`.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  test: {
    include: ['src/**/*.test.{ts,tsx}'],
    environment: 'jsdom',
    testTimeout: 30_000,
    setupFiles: ['src/test-setup.ts'],
  },
});
