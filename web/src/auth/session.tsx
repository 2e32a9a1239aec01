import { useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { type Permission, roleMay } from '../../../src/domain/context.ts';
import { ApiError, onSessionLost, raw, setCredentials } from '../api/client';
import type { SessionUser } from '../api/models';

// Who is signed in. A browser signs in with a password or single sign-on and holds an HttpOnly
// session cookie (the API answers its CSRF token); automation and development can use an API token
// instead, kept for this tab only (sessionStorage).

interface SessionAnswer {
  user: SessionUser;
  csrf_token?: string | null;
}

type State =
  | { status: 'loading' }
  | { status: 'signed-out'; expired: boolean }
  | { status: 'signed-in'; user: SessionUser; via: 'session' | 'token' };

interface SessionApi {
  state: State;
  signIn(login: string, password: string): Promise<void>;
  signInWithToken(token: string): Promise<void>;
  /** Chooses a password with a one-time link's token (first admin, invitation, reset); signs in. */
  setPassword(token: string, password: string): Promise<void>;
  signOut(): Promise<void>;
  /** Shows the user as the API now answers it (after editing one's own profile). */
  updated(user: SessionUser): void;
}

const SessionContext = createContext<SessionApi | null>(null);
const TOKEN_KEY = 'tocsin.token';

async function fromToken(token: string): Promise<SessionUser> {
  setCredentials({ token });
  const me = await raw<{ user: { handle: string; role: string } }>('GET', '/api/v1/me', undefined, true);
  return { name: me.user.handle, handle: me.user.handle, role: me.user.role };
}

async function resume(): Promise<State> {
  try {
    const answer = await raw<SessionAnswer>('GET', '/api/v1/auth/session', undefined, true);
    setCredentials({ csrf: answer.csrf_token ?? undefined });
    return { status: 'signed-in', user: answer.user, via: 'session' };
  } catch (error) {
    if (!(error instanceof ApiError) || (error.status !== 401 && error.status !== 404)) throw error;
  }
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) {
    try {
      return { status: 'signed-in', user: await fromToken(token), via: 'token' };
    } catch {
      sessionStorage.removeItem(TOKEN_KEY);
      setCredentials({});
    }
  }
  return { status: 'signed-out', expired: false };
}

let early: Promise<State> | undefined;

/** Asks for the session as the entry script runs, before React's first render. */
export function startSessionCheck(): void {
  early = resume();
}

/** Whether this tab signed in with an API token (sent only once the session check has run). */
export function hasTabToken(): boolean {
  return sessionStorage.getItem(TOKEN_KEY) !== null;
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<State>({ status: 'loading' });
  const queryClient = useQueryClient();

  useEffect(() => {
    const check = early ?? resume();
    early = undefined;
    check.then(setState, () => setState({ status: 'signed-out', expired: false }));
    // Any 401 from the API means the session ended (idle or absolute expiry, revoked token).
    onSessionLost(() => {
      sessionStorage.removeItem(TOKEN_KEY);
      setCredentials({});
      setState((s) => (s.status === 'signed-in' ? { status: 'signed-out', expired: true } : s));
    });
  }, []);

  const signIn = useCallback(async (login: string, password: string) => {
    const answer = await raw<SessionAnswer>('POST', '/api/v1/auth/login', { login, password }, true);
    setCredentials({ csrf: answer.csrf_token ?? undefined });
    setState({ status: 'signed-in', user: answer.user, via: 'session' });
  }, []);

  const setPassword = useCallback(async (token: string, password: string) => {
    const answer = await raw<SessionAnswer>('POST', '/api/v1/auth/password', { token, password }, true);
    setCredentials({ csrf: answer.csrf_token ?? undefined });
    setState({ status: 'signed-in', user: answer.user, via: 'session' });
  }, []);

  const signInWithToken = useCallback(async (token: string) => {
    try {
      const user = await fromToken(token);
      sessionStorage.setItem(TOKEN_KEY, token);
      setState({ status: 'signed-in', user, via: 'token' });
    } catch (error) {
      setCredentials({});
      throw error;
    }
  }, []);

  const signOut = useCallback(async () => {
    if (state.status === 'signed-in' && state.via === 'session') {
      await raw('POST', '/api/v1/auth/logout', {}, true).catch(() => {});
    }
    sessionStorage.removeItem(TOKEN_KEY);
    setCredentials({});
    queryClient.clear();
    setState({ status: 'signed-out', expired: false });
  }, [state, queryClient]);

  const updated = useCallback((user: SessionUser) => {
    setState((s) => (s.status === 'signed-in' ? { ...s, user: { ...s.user, ...user } } : s));
  }, []);

  const value = useMemo(
    () => ({ state, signIn, signInWithToken, setPassword, signOut, updated }),
    [state, signIn, signInWithToken, setPassword, signOut, updated],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionApi {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}

/** The signed-in user (pages behind sign-in only). */
export function useUser(): SessionUser {
  const { state } = useSession();
  if (state.status !== 'signed-in') throw new Error('not signed in');
  return state.user;
}

/** Whether the signed-in user may do this: the button is hidden, the API refuses anyway. */
export function useCan(permission: Permission): boolean {
  const { state } = useSession();
  return state.status === 'signed-in' && roleMay(state.user.role, permission);
}

const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** The viewer's time zone: the profile's when set, else the browser's. */
export function useViewerZone(): string {
  const context = useContext(SessionContext);
  const zone = context?.state.status === 'signed-in' ? context.state.user.time_zone : undefined;
  return zone && zone !== 'UTC' ? zone : browserZone;
}
