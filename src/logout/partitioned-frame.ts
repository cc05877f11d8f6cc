import type { FrameEnvironment } from '../platform.js';

/**
 * Whether this page runs in a frame that the browser cuts off from its own site's storage: a frame under a page of
 * another site, whose cookies, `localStorage` and `BroadcastChannel` are partitioned by the top-level site or
 * withheld. There it sees neither the app's stored user nor the app's open tabs.
 *
 * Decided by the browser's own answer, `document.hasStorageAccess()` in a frame: `false` there (measured: Firefox
 * standard and strict without a storage-access grant; Chromium with third-party cookies blocked), `true` in a frame
 * of the same site and where the frame keeps its first-party storage (measured: Chromium with third-party cookies
 * allowed, whose frame reached the app's tabs). Outside a browser, a top-level page, a browser without the Storage
 * Access API, or no answer: not partitioned, for want of evidence.
 *
 * @see https://openid.net/specs/openid-connect-frontchannel-1_0.html#ThirdPartyContent
 * @see https://privacycg.github.io/storage-access/#dom-document-hasstorageaccess
 */
export async function isPartitionedFrame(env: FrameEnvironment | undefined): Promise<boolean> {
  if (!env?.hasStorageAccess || env.top === env.self) return false;
  try {
    return !(await env.hasStorageAccess());
  } catch {
    return false;
  }
}
