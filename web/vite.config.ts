import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// The control plane serves the built console; in dev, vite proxies the API to it.
const backend = process.env.LOADSTAR_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      '/api': backend,
      '/schema': backend,
      '/ws': { target: backend.replace(/^http/, 'ws'), ws: true },
    },
  },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    sourcemap: false,
    chunkSizeWarningLimit: 700,
    reportCompressedSize: true,
    rollupOptions: {
      output: {
        // Charts are heavy and only chart pages need them: one cacheable chunk of its own.
        manualChunks(id: string) {
          if (id.includes('node_modules/echarts') || id.includes('node_modules/zrender')) return 'echarts';
          if (id.includes('node_modules/marked') || id.includes('node_modules/dompurify')) return 'markdown';
          return undefined;
        },
      },
    },
  },
  test: {
    environment: 'node', // component tests opt into jsdom with a @vitest-environment docblock
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test/setup.ts'],
  },
});
