import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiFailure } from '../api.js';

/** The token is typed (or pasted) into a password field and kept in sessionStorage only. */
export function Login({
  onLogin,
  notice,
}: {
  onLogin: (token: string) => Promise<void>;
  notice: string | null;
}): JSX.Element {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    document.title = 'Log in · Strata console';
    input.current?.focus();
  }, []);
  const submit = async (e: SubmitEvent): Promise<void> => {
    e.preventDefault();
    const token = input.current?.value.trim() ?? '';
    if (token === '') {
      setError('Enter an API token.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await onLogin(token);
    } catch (err) {
      setError(
        err instanceof ApiFailure && err.status === 401
          ? 'The server does not know this token. Check it, or ask for a new one (strata server token create).'
          : `Could not log in: ${(err as Error).message}`,
      );
      setBusy(false);
    }
  };
  return (
    <main id="main" class="login">
      <h1>Strata console</h1>
      {notice && (
        <p class="note" role="status">
          {notice}
        </p>
      )}
      <form onSubmit={(e) => void submit(e)} aria-describedby="login-help">
        <label for="token">API token</label>
        <input
          id="token"
          ref={input}
          name="token"
          type="password"
          autocomplete="off"
          spellcheck={false}
          required
          aria-invalid={error !== null}
          aria-describedby={error !== null ? 'login-error' : undefined}
        />
        <p id="login-help" class="help">
          The token stays in this tab only (session storage) and is sent in the X-Auth-Token header.
        </p>
        {error && (
          <p id="login-error" class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Checking…' : 'Log in'}
        </button>
      </form>
    </main>
  );
}
