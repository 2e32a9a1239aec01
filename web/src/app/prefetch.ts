import type { QueryClient } from '@tanstack/react-query';
import { incidentQuery, pagesQuery, planQuery } from '../incidents/queries';

/**
 * A link to an incident (every message Tocsin sends has one) asks for the incident, its pages and
 * its plan while the session check and the page's chunk are still on their way, so the page renders
 * from the cache as soon as it mounts. Only for a cookie session: an API token kept for the tab is
 * not sent until the session check has set it, and would only earn a 401 here.
 */
export function prefetchFor(client: QueryClient, pathname: string, hasTabToken: boolean): void {
  const incident = /^\/incidents\/([^/]+)$/.exec(pathname)?.[1];
  if (!incident || hasTabToken) return;
  const id = decodeURIComponent(incident);
  void client.prefetchQuery(pagesQuery(id, true));
  void client.fetchQuery(incidentQuery(id, true)).then(
    ({ incident: found }) => client.prefetchQuery(planQuery(found.plan_name, found.plan_version, true)),
    () => {},
  );
}
