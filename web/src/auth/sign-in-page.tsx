import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useLocation } from 'react-router';
import { raw } from '../api/client';
import { ErrorNote, Field, fieldError, TextField } from '../ui/field';
import { useSession } from './session';

interface Providers {
  password: boolean;
  oidc: { id: string; name: string }[];
}

/** The sign-in page: password, single sign-on buttons, the first admin's one-time link, an API token. */
export function SignInPage({ expired }: { expired: boolean }) {
  const location = useLocation();
  const here = `${location.pathname}${location.search}`;
  const providers = useQuery({
    queryKey: ['auth-providers'],
    queryFn: () => raw<Providers>('GET', '/api/v1/auth/providers', undefined, true),
    retry: false,
  });
  // Without the providers endpoint (an older server), API tokens are the way in.
  const password = providers.data?.password ?? false;
  return (
    <main id="main" className="sign-in">
      <h1>Sign in to Tocsin</h1>
      {expired && (
        <p className="notice" role="status">
          Your session ended. Sign in again to go back to the page you were on.
        </p>
      )}
      {password && <PasswordForm />}
      {providers.data && providers.data.oidc.length > 0 && (
        <section aria-labelledby="sso">
          <h2 id="sso">Single sign-on</h2>
          <ul className="plain">
            {providers.data.oidc.map((p) => (
              <li key={p.id}>
                <a
                  className="button wide"
                  href={`/auth/oidc/${encodeURIComponent(p.id)}/start?return_to=${encodeURIComponent(here)}`}
                >
                  Sign in with {p.name}
                </a>
              </li>
            ))}
          </ul>
        </section>
      )}
      <p className="muted">
        First time here? Open the one-time link (<code>/auth/first?token=…</code>) that Tocsin printed when it
        first started; it signs the first admin in.
      </p>
      {providers.isLoading ? null : password ? (
        <details>
          <summary>Sign in with an API token</summary>
          <TokenForm />
        </details>
      ) : (
        <section aria-labelledby="token-title">
          <h2 id="token-title">Sign in with an API token</h2>
          <TokenForm />
        </section>
      )}
    </main>
  );
}

function PasswordForm() {
  const { signIn } = useSession();
  const [login, setLogin] = useState('');
  const [passwordText, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [resetSent, setResetSent] = useState(false);
  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(login, passwordText);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }
  async function reset() {
    setError(null);
    try {
      await raw('POST', '/api/v1/auth/reset', { login }, true);
      setResetSent(true);
    } catch (e) {
      setError(e);
    }
  }
  return (
    <form onSubmit={(e) => void submit(e)} className="stack" aria-label="Sign in with a password">
      <TextField
        label="User name or email"
        error={fieldError(error, 'login')}
        name="login"
        autoComplete="username"
        required
        value={login}
        onChange={setLogin}
      />
      <TextField
        label="Password"
        error={fieldError(error, 'password')}
        name="password"
        type="password"
        autoComplete="current-password"
        required
        value={passwordText}
        onChange={setPassword}
      />
      <ErrorNote error={error} shownFields={['login', 'password']} />
      <div className="row">
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <button type="button" className="button ghost" disabled={!login} onClick={() => void reset()}>
          Forgot password
        </button>
      </div>
      {resetSent && <p role="status">If that account exists, an email with a reset link is on its way.</p>}
    </form>
  );
}

function TokenForm() {
  const { signInWithToken } = useSession();
  const [token, setToken] = useState('');
  const [error, setError] = useState<unknown>(null);
  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      await signInWithToken(token.trim());
    } catch (e) {
      setError(e);
    }
  }
  return (
    <form onSubmit={(e) => void submit(e)} className="stack" aria-label="Sign in with an API token">
      <Field label="API token" hint="Kept for this browser tab only.">
        {(p) => (
          <input
            {...p}
            name="token"
            type="password"
            autoComplete="off"
            required
            value={token}
            onChange={(e) => setToken(e.target.value)}
          />
        )}
      </Field>
      <ErrorNote error={error} />
      <button type="submit" className="button">
        Sign in with token
      </button>
    </form>
  );
}
