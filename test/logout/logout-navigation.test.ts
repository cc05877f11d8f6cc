import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDomLogoutNavigation } from '../../src/logout/logout-navigation.js';

afterEach(() => {
  vi.restoreAllMocks();
  document.body.replaceChildren();
});

function captureSubmit(): HTMLFormElement[] {
  const submitted: HTMLFormElement[] = [];
  vi.spyOn(HTMLFormElement.prototype, 'submit').mockImplementation(function (this: HTMLFormElement) {
    submitted.push(this);
  });
  return submitted;
}

describe('createDomLogoutNavigation', () => {
  it('submits a hidden POST form with one hidden input per field', () => {
    const submitted = captureSubmit();
    createDomLogoutNavigation(document).submitForm('https://op.example.com/end?t=1', { id_token_hint: 'a.b.c', state: 's' });
    expect(submitted).toHaveLength(1);
    const form = submitted[0]!;
    expect(form.isConnected).toBe(true);
    expect(form.hidden).toBe(true);
    expect(form.getAttribute('method')).toBe('post');
    expect(form.getAttribute('action')).toBe('https://op.example.com/end?t=1');
    expect(form.getAttribute('enctype')).toBe('application/x-www-form-urlencoded');
    expect(form.getAttribute('accept-charset')).toBe('UTF-8');
    const inputs = [...form.querySelectorAll('input')].map((input) => [input.type, input.name, input.value]);
    expect(inputs).toEqual([
      ['hidden', 'id_token_hint', 'a.b.c'],
      ['hidden', 'state', 's'],
    ]);
  });

  it('cannot be tricked into injecting markup by a field value or name', () => {
    const submitted = captureSubmit();
    const hostile = '"><img src=x onerror=alert(1)><input name="state" value="evil';
    createDomLogoutNavigation(document).submitForm('https://op.example.com/end', { logout_hint: hostile, [hostile]: 'v' });
    const form = submitted[0]!;
    expect(form.querySelectorAll('img')).toHaveLength(0);
    expect(form.querySelectorAll('input')).toHaveLength(2);
    expect((form.querySelector('input[name="logout_hint"]') as HTMLInputElement).value).toBe(hostile);
    expect(form.querySelectorAll('input[name="state"]')).toHaveLength(0);
  });

  it('still submits when a field is named submit or action', () => {
    const submitted = captureSubmit();
    // Browsers let a control named "submit" shadow form.submit (happy-dom does not), so mimic that rule.
    const createElement = document.createElement.bind(document);
    vi.spyOn(document, 'createElement').mockImplementation((tag: string) => {
      const element = createElement(tag);
      if (tag === 'form') {
        Object.defineProperty(element, 'submit', {
          get: () => element.querySelector('[name="submit"]') ?? HTMLFormElement.prototype.submit,
        });
      }
      return element;
    });
    createDomLogoutNavigation(document).submitForm('https://op.example.com/end', { submit: '1', action: 'x' });
    expect(submitted).toHaveLength(1);
    expect(submitted[0]!.getAttribute('action')).toBe('https://op.example.com/end');
  });

  it('navigates with location.assign for GET', () => {
    const assign = vi.fn();
    const fakeDocument = { defaultView: { location: { assign } } } as unknown as Document;
    createDomLogoutNavigation(fakeDocument).assign('https://op.example.com/end?state=s');
    expect(assign).toHaveBeenCalledWith('https://op.example.com/end?state=s');
  });
});
