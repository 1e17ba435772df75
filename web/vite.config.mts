import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { resolve } from 'node:path';

// The API serves web/dist at `/` in production; in development Vite proxies
// GraphQL (HTTP and WebSocket) to it so cookies stay same-origin.
const api = process.env.API_URL ?? 'http://127.0.0.1:4000';

export default defineConfig({
  plugins: [react()],
  // Relative asset URLs: the static build can be served from any host and path.
  base: './',
  server: {
    proxy: {
      '/graphql': { target: api, ws: true, changeOrigin: false },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    // GraphiQL's page carries the Monaco editor (a few MB, loaded only at /graphiql).
    chunkSizeWarningLimit: 4096,
    // Two pages: the app, and GraphiQL (which the API serves at /graphiql).
    rollupOptions: {
      input: { main: resolve(__dirname, 'index.html'), graphiql: resolve(__dirname, 'graphiql.html') },
      // GraphiQL's modules start with React-compiler directives ("use no memo") the bundler drops harmlessly.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
});
