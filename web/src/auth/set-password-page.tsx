import { type FormEvent, useState } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { ErrorNote, fieldError, TextField } from '../ui/field';
import { useSession } from './session';

const TITLES: Record<string, string> = {
  '/auth/first': 'Welcome: choose the admin password',
  '/auth/accept': 'Accept your invitation: choose a password',
  '/auth/reset': 'Choose a new password',
};

/** The page a one-time link opens (first admin, invitation, reset): choose a password, be signed in. */
export function SetPasswordPage() {
  const location = useLocation();
  const navigate = useNavigate();
  const { setPassword } = useSession();
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const [password, setPasswordText] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const mismatch = again !== '' && again !== password;
  async function submit(event: FormEvent) {
    event.preventDefault();
    if (mismatch) return;
    setBusy(true);
    setError(null);
    try {
      await setPassword(token, password);
      navigate('/incidents', { replace: true });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }
  return (
    <main id="main" className="sign-in">
      <h1>{TITLES[location.pathname] ?? 'Choose a password'}</h1>
      {!token && <p className="error-note">This link has no token: open the link from the message again.</p>}
      <form className="stack" onSubmit={(e) => void submit(e)} aria-label="Choose a password">
        <TextField
          label="New password"
          hint="At least 10 characters."
          error={fieldError(error, 'password')}
          type="password"
          autoComplete="new-password"
          required
          value={password}
          onChange={setPasswordText}
        />
        <TextField
          label="Repeat the password"
          error={mismatch ? 'the two passwords differ' : undefined}
          type="password"
          autoComplete="new-password"
          required
          value={again}
          onChange={setAgain}
        />
        <ErrorNote error={error} shownFields={['password']} />
        <button type="submit" className="button primary" disabled={busy || !token || mismatch}>
          Set password and sign in
        </button>
      </form>
    </main>
  );
}
