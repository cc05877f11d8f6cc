/**
 * The script-tag entry: `<script src=".../oidc-session-monitor.iife.min.js">` exposes everything below as the
 * global `OidcSessionMonitor`. oidc-client-ts's `UserManager` rides along, so a page without a bundler can sign
 * in and handle the (silent) callbacks with the same library the monitor uses.
 */
export * from './index.js';
export { UserManager, WebStorageStateStore } from 'oidc-client-ts';
