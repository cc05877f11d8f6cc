/**
 * A new hidden iframe, not yet in the document: out of sight, out of the tab order and of the accessibility tree.
 * Not `display:none`: some browsers throttle or skip loading undisplayed frames.
 */
export function hiddenFrame(document: Document, title: string): HTMLIFrameElement {
  const iframe = document.createElement('iframe');
  iframe.title = title;
  iframe.setAttribute('aria-hidden', 'true');
  iframe.tabIndex = -1;
  iframe.style.cssText = 'position:absolute;width:0;height:0;border:0;visibility:hidden;left:-1000px;top:0';
  return iframe;
}

/** Puts `iframe` into the page (in `<body>`, or the root element before there is one). */
export function attach(document: Document, iframe: HTMLIFrameElement): void {
  (document.body ?? document.documentElement).appendChild(iframe);
}
