import { useIsFetching } from '@tanstack/react-query';
import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { Navigate, NavLink, Route, Routes, useLocation } from 'react-router';
import { useSession } from '../auth/session';
import { SetPasswordPage } from '../auth/set-password-page';
import { SignInPage } from '../auth/sign-in-page';
import { LiveIndicator, LiveProvider } from '../live/live';
import { pages } from './pages';
import { useTheme } from './theme';

const IncidentsPage = lazy(pages.incidents);
const IncidentPage = lazy(pages.incident);
const OnCallPage = lazy(pages.oncall);
const AlertsPage = lazy(pages.alerts);
const ServicesPage = lazy(pages.services);
const PlansPage = lazy(pages.plans);
const SettingsPage = lazy(pages.settings);
const InboxPage = lazy(pages.inbox);
const PostmortemPage = lazy(pages.postmortem);
const PostmortemsPage = lazy(pages.postmortems);
const ReportsPage = lazy(pages.reports);
const StatusPageAdmin = lazy(pages.statusPage);
// The declare dialog (with the API's zod schemas) loads when first opened, or once the page is idle.
const loadDeclare = () => import('../incidents/declare-dialog').then((m) => ({ default: m.DeclareDialog }));
const DeclareDialog = lazy(loadDeclare);

const NAV = [
  ['/incidents', 'Incidents'],
  ['/oncall', 'On call'],
  ['/alerts', 'Alerts'],
  ['/services', 'Services'],
  ['/plans', 'Plans'],
  ['/postmortems', 'Post-mortems'],
  ['/reports', 'Reports'],
  ['/status-page', 'Status page'],
  ['/inbox', 'Inbox'],
  ['/settings', 'Settings'],
] as const;

/** `d` opens the declare dialog from any page (not while typing in a field). */
function useDeclareShortcut(open: () => void): void {
  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      const target = event.target as HTMLElement | null;
      const typing = target?.closest('input, textarea, select, [contenteditable="true"]');
      if (typing || event.metaKey || event.ctrlKey || event.altKey) return;
      if (event.key === 'd') {
        event.preventDefault();
        open();
      }
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open]);
}

/**
 * Loads a chunk once the browser is idle after the first screen, so it is ready when asked for. Idle
 * means no query in flight too: a browser waiting on the page's own data looks idle, and a chunk
 * fetched then (the declare dialog brings zod) would compete with the page on its load path.
 */
function useIdlePreload(load: () => Promise<unknown>): void {
  const fetching = useIsFetching() > 0;
  useEffect(() => {
    if (fetching) return;
    const run = () => void load().catch(() => {});
    if ('requestIdleCallback' in window) {
      const handle = window.requestIdleCallback(run, { timeout: 5000 });
      return () => window.cancelIdleCallback(handle);
    }
    const handle = setTimeout(run, 2000);
    return () => clearTimeout(handle);
  }, [load, fetching]);
}

function Shell() {
  const { state, signOut } = useSession();
  const [theme, setTheme] = useTheme();
  const [declaring, setDeclaring] = useState(false);
  // Mounted from the first opening on, so closing it keeps Radix's exit and focus return.
  const [declareLoaded, setDeclareLoaded] = useState(false);
  const openDeclare = useCallback(() => {
    setDeclareLoaded(true);
    setDeclaring(true);
  }, []);
  useDeclareShortcut(openDeclare);
  useIdlePreload(loadDeclare);
  const user = state.status === 'signed-in' ? state.user : null;
  return (
    <LiveProvider>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <NavLink to="/incidents" className="brand">
          Tocsin
        </NavLink>
        <nav aria-label="Main">
          <ul>
            {NAV.map(([to, label]) => (
              <li key={to}>
                <NavLink to={to} className="nav-link">
                  {label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="top-tools">
          <LiveIndicator />
          {user?.role !== 'viewer' && (
            <button type="button" className="button primary" aria-keyshortcuts="d" onClick={openDeclare}>
              Declare <kbd>d</kbd>
            </button>
          )}
          <label className="theme">
            <span className="visually-hidden">Theme</span>
            <select value={theme} onChange={(e) => setTheme(e.target.value as typeof theme)}>
              <option value="system">System theme</option>
              <option value="light">Light</option>
              <option value="dark">Dark</option>
            </select>
          </label>
          <button type="button" className="button ghost" onClick={() => void signOut()}>
            Sign out <span className="visually-hidden">{user?.name}</span>
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<p className="muted">Loading…</p>}>
          <Routes>
            <Route path="/" element={<Navigate to="/incidents" replace />} />
            <Route path="/incidents" element={<IncidentsPage />} />
            <Route path="/incidents/:id" element={<IncidentPage />} />
            <Route path="/oncall" element={<OnCallPage />} />
            <Route path="/alerts" element={<AlertsPage />} />
            <Route path="/services" element={<ServicesPage />} />
            <Route path="/services/:name" element={<ServicesPage />} />
            <Route path="/plans" element={<PlansPage />} />
            <Route path="/plans/:name" element={<PlansPage />} />
            <Route path="/inbox" element={<InboxPage />} />
            <Route path="/postmortems" element={<PostmortemsPage />} />
            <Route path="/postmortems/:id" element={<PostmortemPage />} />
            <Route path="/reports" element={<ReportsPage />} />
            <Route path="/status-page" element={<StatusPageAdmin />} />
            <Route path="/settings/*" element={<SettingsPage />} />
            <Route path="*" element={<p>No page here.</p>} />
          </Routes>
        </Suspense>
      </main>
      {user?.role !== 'viewer' && declareLoaded && (
        <Suspense fallback={null}>
          <DeclareDialog open={declaring} onOpenChange={setDeclaring} />
        </Suspense>
      )}
    </LiveProvider>
  );
}

/**
 * Signed out (or the session expired), the sign-in form takes the place of whatever page was asked
 * for; the address stays, so signing in lands on that same page.
 */
export function App() {
  const { state } = useSession();
  const location = useLocation();
  // One-time links (first admin, invitation, reset) open the console here, signed in or not.
  if (/^\/auth\/(first|accept|reset)$/.test(location.pathname)) return <SetPasswordPage />;
  if (state.status === 'loading') return <p className="muted center">Loading…</p>;
  if (state.status === 'signed-out') return <SignInPage expired={state.expired} />;
  return <Shell />;
}
