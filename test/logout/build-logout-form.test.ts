import { describe, expect, it } from 'vitest';
import { buildLogoutForm } from '../../src/logout/build-logout-form.js';

describe('buildLogoutForm', () => {
  it('puts the parameters into fields and keeps the endpoint query in the action', () => {
    const form = buildLogoutForm({
      end_session_endpoint: 'https://op.example.com/end?tenant=a#x',
      id_token_hint: 'h.h.h',
      client_id: 'app',
      state: 's',
      ui_locales: ['de', 'en'],
      extraParams: { foo: 'bar' },
    });
    expect(form.action).toBe('https://op.example.com/end?tenant=a');
    expect(form.fields).toEqual({ id_token_hint: 'h.h.h', client_id: 'app', state: 's', ui_locales: 'de en', foo: 'bar' });
  });

  it('keeps values raw (the form encodes them), including markup and unicode', () => {
    const form = buildLogoutForm({ end_session_endpoint: 'https://op.example.com/end', logout_hint: '"><script>x</script> ü' });
    expect(form.fields.logout_hint).toBe('"><script>x</script> ü');
  });

  it('applies the same validation as the URL builder', () => {
    expect(() => buildLogoutForm({ end_session_endpoint: 'https://op/end', extraParams: { state: 'x' } })).toThrow(/extraParams\.state/);
    expect(() => buildLogoutForm({ end_session_endpoint: 'mailto:a@b' })).toThrow(/end_session_endpoint/);
  });
});
