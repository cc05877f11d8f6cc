/**
 * Leaves the page for the OP's logout endpoint. A port so that `performLogout` can be tested without
 * navigating, and so apps with their own router or a native shell can take over.
 */
export interface LogoutNavigation {
  /** Top-level GET navigation (RPI §2: the RP redirects the User-Agent). */
  assign(url: string): void;
  /** Top-level form POST of `fields` (`application/x-www-form-urlencoded`, UTF-8) to `action`. */
  submitForm(action: string, fields: Readonly<Record<string, string>>): void;
}

/**
 * The DOM implementation: `location.assign` for GET, and for POST a hidden `<form method="post">` with
 * one hidden input per field, appended to the document and submitted.
 *
 * Values are assigned through `.value` and attributes through `setAttribute`, never through HTML, so a
 * hostile hint or app parameter cannot inject markup. The form is submitted through
 * `HTMLFormElement.prototype.submit` because a field named `submit` (or `action`) would otherwise shadow
 * the form's own method (named form controls override form properties, a legacy DOM rule).
 *
 * @see https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
 */
export function createDomLogoutNavigation(doc: Document = document): LogoutNavigation {
  return {
    assign(url) {
      const view = doc.defaultView;
      if (!view) throw new Error('Cannot navigate: the document has no window.');
      view.location.assign(url);
    },
    submitForm(action, fields) {
      const form = doc.createElement('form');
      form.setAttribute('method', 'post');
      form.setAttribute('action', action);
      form.setAttribute('enctype', 'application/x-www-form-urlencoded');
      // Otherwise the body is encoded in the page's charset, and non-ASCII hints would reach the OP mangled.
      form.setAttribute('accept-charset', 'UTF-8');
      form.setAttribute('target', '_self');
      form.hidden = true;
      for (const [name, value] of Object.entries(fields)) {
        const input = doc.createElement('input');
        input.type = 'hidden';
        input.name = name;
        input.value = value;
        form.appendChild(input);
      }
      // Firefox and older Chromium only submit forms that are connected to the document.
      (doc.body ?? doc.documentElement).appendChild(form);
      HTMLFormElement.prototype.submit.call(form);
    },
  };
}
