// The React example: Vite with its built-in JSX transform (no plugin), react-oidc-context for the sign-in, and
// `oidc-session-monitor/react` imported by name, as in your app (inside this repository Node's package
// self-reference resolves it to dist/: run `npm run build` first).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const page = (name) => fileURLToPath(new URL(`${name}.html`, import.meta.url));

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    target: 'es2022', // top-level await in the page scripts
    rolldownOptions: {
      input: { index: page('index'), callback: page('callback'), silent: page('silent'), 'signed-out': page('signed-out') },
    },
  },
});
