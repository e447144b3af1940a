import { defineConfig } from 'vite';

// The dashboard is served by Hookyard itself under /ui (see src/modules/dashboard).
export default defineConfig({
  root: import.meta.dirname,
  base: '/ui/',
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    chunkSizeWarningLimit: 400,
  },
});
