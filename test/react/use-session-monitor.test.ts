import { act, renderHook, waitFor } from '@testing-library/react';
import type { UserManager } from 'oidc-client-ts';
import { Component, StrictMode, createElement, type ReactNode } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useSessionMonitor, type UseSessionMonitorOptions } from '../../src/react/index.js';
import { trackListeners } from '../support/listeners.js';

interface FakeUser {
  profile: { sub: string };
  session_state: string;
  id_token: string;
}

/** An oidc-client-ts `UserManager` as the monitor sees it; its OP iframe never loads in happy-dom. */
function fakeUserManager(options: { checkSessionIframe?: string | undefined } = {}) {
  const iframe = 'checkSessionIframe' in options ? options.checkSessionIframe : 'https://op.example/check_session';
  const manager = {
    settings: { authority: 'https://op.example', client_id: 'spa', silent_redirect_uri: 'https://app.example/silent' },
    stored: { profile: { sub: 'alice' }, session_state: 'state-1', id_token: 'id-1' } as FakeUser | null,
    metadataService: {
      getCheckSessionIframe: vi.fn(async () => iframe),
      getEndSessionEndpoint: vi.fn(async () => 'https://op.example/logout'),
      getMetadata: vi.fn(async () => ({ issuer: 'https://op.example' })),
    },
    getUser: vi.fn(async () => manager.stored),
    signinSilent: vi.fn(async () => null),
    removeUser: vi.fn(async () => {
      manager.stored = null;
    }),
    storeUser: vi.fn(async () => {}),
  };
  return manager;
}

const opFrames = () => document.querySelectorAll('iframe[id^="oidc-session-monitor-op-frame"]').length;
const alice = { profile: { sub: 'alice' } };

function render(initial: Omit<Partial<UseSessionMonitorOptions>, 'userManager'> & { userManager: ReturnType<typeof fakeUserManager> }) {
  const { userManager, ...rest } = initial;
  return renderHook((props: UseSessionMonitorOptions) => useSessionMonitor(props), {
    initialProps: { user: alice, ...rest, userManager: userManager as unknown as UserManager },
    wrapper: StrictMode,
  });
}

beforeEach(() => localStorage.clear());
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('useSessionMonitor', () => {
  it('under StrictMode starts one monitor and one OP iframe for the signed-in user', async () => {
    const userManager = fakeUserManager();
    const { result, unmount } = render({ userManager });
    await waitFor(() => expect(opFrames()).toBe(1));
    expect(userManager.metadataService.getCheckSessionIframe).toHaveBeenCalledTimes(1);
    // Every monitor reads the session once as it starts: one read, one monitor (not a second one stopped at once).
    expect(userManager.getUser).toHaveBeenCalledTimes(1);
    await waitFor(() => expect(result.current.state).toBe('starting'));
    unmount();
  });

  it('stops on unmount: no iframe left', async () => {
    const userManager = fakeUserManager();
    const { unmount } = render({ userManager });
    await waitFor(() => expect(opFrames()).toBe(1));
    unmount();
    expect(opFrames()).toBe(0);
  });

  it('runs nothing while nobody is signed in, starts on sign-in and stops on sign-out', async () => {
    const userManager = fakeUserManager();
    const { result, rerender, unmount } = render({ userManager, user: null });
    await act(async () => {});
    expect(result.current.state).toBe('inactive');
    expect(userManager.getUser).not.toHaveBeenCalled();
    rerender({ userManager: userManager as unknown as UserManager, user: alice });
    await waitFor(() => expect(opFrames()).toBe(1));
    await waitFor(() => expect(result.current.state).toBe('starting'));
    rerender({ userManager: userManager as unknown as UserManager, user: null });
    expect(opFrames()).toBe(0);
    expect(result.current.state).toBe('inactive');
    unmount();
  });

  it('starts anew for another user, still with one iframe', async () => {
    const userManager = fakeUserManager();
    const { rerender, unmount } = render({ userManager });
    await waitFor(() => expect(opFrames()).toBe(1));
    userManager.stored = { profile: { sub: 'bob' }, session_state: 'state-2', id_token: 'id-2' };
    rerender({ userManager: userManager as unknown as UserManager, user: { profile: { sub: 'bob' } } });
    await waitFor(() => expect(userManager.metadataService.getCheckSessionIframe).toHaveBeenCalledTimes(2));
    await waitFor(() => expect(opFrames()).toBe(1));
    unmount();
  });

  it('renders the monitor state and the last unavailable reason', async () => {
    const userManager = fakeUserManager({ checkSessionIframe: undefined });
    // Only the iframe: without one, that is `unsupported` (with the default mode it would be watched by re-check).
    const { result, unmount } = render({ userManager, monitor: { mode: 'iframe' } });
    await waitFor(() => expect(result.current.state).toBe('unavailable'));
    expect(result.current.unavailable).toMatchObject({ reason: 'unsupported' });
    unmount();
  });

  it('renders the idle warning, clears it on extend(), and renders the idle sign-out', async () => {
    const userManager = fakeUserManager();
    const { result, unmount } = render({ userManager, idle: { timeout: 1500, warning: 1000 } });
    await waitFor(() => expect(result.current.idle?.state).toBe('warning'), { timeout: 5000 });
    expect(result.current.idle?.warning?.remainingMs).toBeGreaterThan(0);
    act(() => result.current.extend());
    expect(result.current.idle).toEqual({ state: 'active', warning: undefined });
    await waitFor(() => expect(result.current.signedOut).toEqual({ reason: 'idle', sub: 'alice' }), { timeout: 5000 });
    expect(result.current.idle?.state).toBe('timedOut');
    expect(userManager.removeUser).toHaveBeenCalled();
    unmount();
    expect(opFrames()).toBe(0);
  });

  it('stops the idle watch on unmount: the idle timeout passes and nobody is signed out, no timer or listener left', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    const onWindow = trackListeners(window);
    const userManager = fakeUserManager();
    const { result, unmount } = render({ userManager, idle: { timeout: 1500, warning: 1000 } });
    await act(async () => {
      await vi.advanceTimersByTimeAsync(0);
    });
    expect(result.current.idle?.state).toBe('active');
    expect(onWindow('pointerdown')).toBe(1);

    unmount();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(userManager.removeUser).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
    for (const type of ['pointerdown', 'keydown', 'storage', 'message']) expect({ type, live: onWindow(type) }).toEqual({ type, live: 0 });
  });
});

/** Catches what the hook throws during render, as an app's error boundary would. */
class Boundary extends Component<{ children?: ReactNode; onError: (error: Error) => void }, { failed: boolean }> {
  override state = { failed: false };
  static getDerivedStateFromError() {
    return { failed: true };
  }
  override componentDidCatch(error: Error) {
    this.props.onError(error);
  }
  override render() {
    return this.state.failed ? null : this.props.children;
  }
}

describe('useSessionMonitor with invalid options', () => {
  function renderCaught(options: Omit<Partial<UseSessionMonitorOptions>, 'userManager'>) {
    const userManager = fakeUserManager();
    const caught: Error[] = [];
    // React reports a caught render error on the console too; that is not what is tested here.
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const view = renderHook(() => useSessionMonitor({ user: alice, ...options, userManager: userManager as unknown as UserManager }), {
      wrapper: ({ children }) => createElement(StrictMode, null, createElement(Boundary, { onError: (error: Error) => void caught.push(error) }, children)),
    });
    return { caught, userManager, view };
  }

  it.each([
    [{ idle: { timeout: 0 } }, /^useSessionMonitor: idle: timeout must be a positive number of milliseconds \(0 does not turn the idle timeout off: leave it out instead\)\.$/],
    [{ idle: { timeout: 1000, warning: 5000 } }, /^useSessionMonitor: idle: warning must be shorter than timeout\.$/],
    [{ idle: { timeout: 1000, timout: 5 } }, /^useSessionMonitor: idle: watchIdle: unknown option timout/],
    [{ monitor: { interval: -1 } }, /^useSessionMonitor: monitor: interval /],
    [{ monitor: { intervall: 3000 } }, /^useSessionMonitor: monitor: startMonitoring: unknown option intervall/],
  ])('%j: the hook throws a TypeError naming the option from render, which an error boundary catches; nothing keeps running', async (options, message) => {
    const { caught, view } = renderCaught(options as never);
    await waitFor(() => expect(caught).toHaveLength(1));
    expect(caught[0]).toBeInstanceOf(TypeError);
    expect(caught[0]!.message).toMatch(message);
    expect(opFrames()).toBe(0);
    view.unmount();
  });

  it('without idle there is no idle timeout: idle stays undefined and no activity listener is added', async () => {
    const onWindow = trackListeners(window);
    const userManager = fakeUserManager();
    const { result, unmount } = render({ userManager });
    await waitFor(() => expect(result.current.state).toBe('starting'));
    expect(result.current.idle).toBeUndefined();
    expect(onWindow('pointerdown')).toBe(0);
    unmount();
  });
});
