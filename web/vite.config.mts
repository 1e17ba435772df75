import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The API serves web/dist at `/` in production; in development Vite proxies
// GraphQL (HTTP and WebSocket) to it so cookies stay same-origin.
const api = process.env.API_URL ?? 'http://127.0.0.1:4000';

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      '/graphql': { target: api, ws: true, changeOrigin: false },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
  },
});
