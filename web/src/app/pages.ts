// Each page is its own chunk, loaded on first visit, so the first screen ships only the shell.
// The page a link opens (`/incidents/7` from a page email) starts loading with the entry script,
// beside the session check, instead of after it.
export const pages = {
  incidents: () => import('../incidents/incidents-page'),
  incident: () => import('../incidents/incident-page'),
  oncall: () => import('../oncall/oncall-page'),
  alerts: () => import('../alerts/alerts-page'),
  services: () => import('../services/services-page'),
  plans: () => import('../plans/plans-page'),
  settings: () => import('../settings/settings-page'),
  inbox: () => import('../inbox/inbox-page'),
  postmortem: () => import('../postmortems/postmortem-page'),
  postmortems: () => import('../postmortems/postmortems-page'),
  reports: () => import('../reports/reports-page'),
  statusPage: () => import('../status-page/status-page-admin'),
};

const BY_PATH: [RegExp, keyof typeof pages][] = [
  [/^\/(incidents)?\/?$/, 'incidents'],
  [/^\/incidents\/[^/]+$/, 'incident'],
  [/^\/oncall/, 'oncall'],
  [/^\/alerts/, 'alerts'],
  [/^\/services/, 'services'],
  [/^\/plans/, 'plans'],
  [/^\/settings/, 'settings'],
  [/^\/inbox/, 'inbox'],
  [/^\/postmortems\/[^/]+$/, 'postmortem'],
  [/^\/postmortems\/?$/, 'postmortems'],
  [/^\/reports/, 'reports'],
  [/^\/status-page/, 'statusPage'],
];

/** Starts loading the chunk of the page at this path (the module loader shares it with lazy()). */
export function preloadPage(pathname: string): void {
  const match = BY_PATH.find(([pattern]) => pattern.test(pathname));
  if (match) void pages[match[1]]().catch(() => {});
}
