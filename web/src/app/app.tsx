import { lazy, Suspense, useEffect, useState } from 'react';
import { Navigate, NavLink, Route, Routes, useLocation } from 'react-router';
import { useSession } from '../auth/session';
import { SetPasswordPage } from '../auth/set-password-page';
import { SignInPage } from '../auth/sign-in-page';
import { DeclareDialog } from '../incidents/declare-dialog';
import { LiveIndicator, LiveProvider } from '../live/live';
import { useTheme } from './theme';

// Pages load on first visit, so the first screen ships only the shell and the incident list.
const IncidentsPage = lazy(() => import('../incidents/incidents-page'));
const IncidentPage = lazy(() => import('../incidents/incident-page'));
const OnCallPage = lazy(() => import('../oncall/oncall-page'));
const AlertsPage = lazy(() => import('../alerts/alerts-page'));
const ServicesPage = lazy(() => import('../services/services-page'));
const PlansPage = lazy(() => import('../plans/plans-page'));
const SettingsPage = lazy(() => import('../settings/settings-page'));
const InboxPage = lazy(() => import('../inbox/inbox-page'));
const PostmortemPage = lazy(() => import('../postmortems/postmortem-page'));
const PostmortemsPage = lazy(() => import('../postmortems/postmortems-page'));
const ReportsPage = lazy(() => import('../reports/reports-page'));
const StatusPageAdmin = lazy(() => import('../status-page/status-page-admin'));

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

function Shell() {
  const { state, signOut } = useSession();
  const [theme, setTheme] = useTheme();
  const [declaring, setDeclaring] = useState(false);
  useDeclareShortcut(() => setDeclaring(true));
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
            <button
              type="button"
              className="button primary"
              aria-keyshortcuts="d"
              onClick={() => setDeclaring(true)}
            >
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
      {user?.role !== 'viewer' && <DeclareDialog open={declaring} onOpenChange={setDeclaring} />}
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
