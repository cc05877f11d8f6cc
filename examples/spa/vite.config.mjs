// A plain Vite set-up: four HTML pages, no framework, no plugin.
//
// `oidc-session-monitor` is imported by name, exactly as in your app. Inside this repository Node's package
// self-reference resolves it through the package's own `exports` (to dist/, so run `npm run build` first); in your
// app it comes from node_modules (`npm install oidc-session-monitor oidc-client-ts`).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const page = (name) => fileURLToPath(new URL(`${name}.html`, import.meta.url));

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  build: {
    target: 'es2022', // top-level await in the page scripts
    rolldownOptions: {
      input: { index: page('index'), callback: page('callback'), silent: page('silent'), 'signed-out': page('signed-out') },
    },
  },
});
