import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { AuthProvider } from 'react-oidc-context';
import { App } from './App.tsx';
import { createUserManager, loadConfig } from './oidc.ts';
import './style.css';

const config = await loadConfig();
const userManager = createUserManager(config);

// StrictMode on purpose: its double effects must not start two monitors.
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    {/* The callback pages handle the redirects (callback.html, silent.html): nothing to do here. */}
    <AuthProvider userManager={userManager} skipSigninCallback>
      <App userManager={userManager} config={config} />
    </AuthProvider>
  </StrictMode>,
);
