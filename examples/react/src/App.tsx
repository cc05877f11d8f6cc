import { useEffect, useState } from 'react';
import type { UserManager } from 'oidc-client-ts';
import { useAuth } from 'react-oidc-context';
import { logout } from 'oidc-session-monitor';
import { useSessionMonitor } from 'oidc-session-monitor/react';
import type { AppConfig } from './oidc.ts';

/** Seconds left until `deadline` (ms since the epoch), ticking. */
function useCountdown(deadline: number | undefined): number | undefined {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (deadline === undefined) return undefined;
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [deadline]);
  return deadline === undefined ? undefined : Math.max(0, Math.ceil((deadline - now) / 1000));
}

export function App({ userManager, config }: { userManager: UserManager; config: AppConfig }) {
  const auth = useAuth();
  const session = useSessionMonitor({
    userManager,
    user: auth.user,
    monitor: { interval: config.interval ?? 2000 },
    ...(config.idle ? { idle: config.idle } : {}),
  });
  const warning = session.idle?.warning;
  const secondsLeft = useCountdown(warning?.deadline);

  useEffect(() => {
    if (!auth.isLoading) document.body.dataset.ready = 'true';
  }, [auth.isLoading]);

  if (auth.isLoading) return <p>Loading…</p>;
  const user = auth.user;
  return (
    <>
      <section className="card">
        <dl>
          <dt>User</dt>
          <dd id="user">{user ? `${user.profile.name ?? user.profile.sub} (sub ${user.profile.sub})` : 'signed out'}</dd>
          <dt>Monitor</dt>
          <dd id="state">{session.state}</dd>
          <dt>Unavailable</dt>
          <dd id="unavailable">{session.unavailable ? `${session.unavailable.reason}: ${session.unavailable.detail}` : '—'}</dd>
          <dt>Last refresh</dt>
          <dd id="refreshed">{session.refreshed ? session.refreshed.session_state : '—'}</dd>
          <dt>Signed out because</dt>
          <dd id="signed-out-reason">{session.signedOut?.reason ?? '—'}</dd>
          <dt>Idle timeout</dt>
          <dd id="idle-state">{session.idle?.state ?? (config.idle ? 'not watching' : 'off')}</dd>
        </dl>
        <div className="buttons">
          {!user && <button id="sign-in" onClick={() => void auth.signinRedirect()}>Sign in</button>}
          {user && (
            <button id="sign-out" onClick={() => void logout({ userManager, state: { from: 'react' } })}>
              Sign out
            </button>
          )}
        </div>
      </section>
      {warning && (
        <section className="card warning" id="idle-warning" role="alertdialog">
          <p>
            You will be signed out for inactivity in <strong id="idle-countdown">{secondsLeft}</strong> s.
          </p>
          <button id="stay-signed-in" onClick={session.extend}>Stay signed in</button>
        </section>
      )}
    </>
  );
}
