import { NavLink, Route, Routes } from 'react-router';
import { useCan } from '../auth/session';
import { AuditLog } from './audit-log';
import { TeamsList, UsersList } from './people';
import { Profile } from './profile';
import { Sessions } from './sessions';
import { Tokens } from './tokens';

/** Settings: my profile (contacts, notification rules, quiet hours), API tokens, sessions, users, teams, audit. */
export default function SettingsPage() {
  const canAudit = useCan('audit:read');
  const tabs: [string, string][] = [
    ['/settings', 'My profile'],
    ['/settings/tokens', 'API tokens'],
    ['/settings/sessions', 'Sessions'],
    ['/settings/users', 'Users'],
    ['/settings/teams', 'Teams'],
    ...(canAudit ? ([['/settings/audit', 'Audit log']] as [string, string][]) : []),
  ];
  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      <nav aria-label="Settings" className="tabs">
        {tabs.map(([to, label]) => (
          <NavLink key={to} to={to} end>
            {label}
          </NavLink>
        ))}
      </nav>
      <Routes>
        <Route index element={<Profile />} />
        <Route path="tokens" element={<Tokens />} />
        <Route path="sessions" element={<Sessions />} />
        <Route path="users" element={<UsersList />} />
        <Route path="teams" element={<TeamsList />} />
        <Route path="audit" element={<AuditLog />} />
      </Routes>
    </section>
  );
}
