// happy-dom cannot run an OP's page, and with iframe loading switched off (its default) it reports every iframe put
// into a document, with or without a src, as a NotSupportedError stack trace on the console: about 65 of them in a
// passing run. Instead, every iframe here loads an empty page of its own, from no network: the frames behave as
// in a browser whose OP page never answers, and a green run prints nothing.
if (typeof window !== 'undefined') {
  const { settings } = (window as unknown as { happyDOM: { settings: { enableIframePageLoading: boolean; fetch: { interceptor: unknown } } } }).happyDOM;
  settings.enableIframePageLoading = true;
  settings.fetch.interceptor = {
    beforeAsyncRequest: async ({ window: from }: { window: typeof globalThis }) =>
      new from.Response('<!doctype html><title>stand-in</title>', { headers: { 'content-type': 'text/html' } }),
  };
}
