import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { answer, api } from '../api/client';
import type { Incident, IncidentDetail, PageMessage, PlanSummary, PlanVersion } from '../api/models';

/** The list's server-side filters; an empty string is no filter. */
export interface IncidentFilters {
  state: 'open' | 'resolved' | 'all';
  severity?: string | undefined;
  service?: string | undefined;
  team?: string | undefined;
  /** Incidents where the signed-in user holds a role, responds or was paged. */
  mine?: boolean | undefined;
}

export function useIncidents(filters: IncidentFilters) {
  return useQuery({
    queryKey: ['incidents', filters],
    queryFn: () =>
      answer<{ incidents: Incident[] }>(
        api.GET('/api/v1/incidents', {
          params: {
            query: {
              state: filters.state,
              limit: 200,
              ...(filters.severity ? { severity: filters.severity } : {}),
              ...(filters.service ? { service: filters.service } : {}),
              ...(filters.team ? { team: filters.team } : {}),
              ...(filters.mine ? { mine: 'true' as const } : {}),
            },
          },
        }),
      ).then((a) => a.incidents),
    placeholderData: (previous) => previous,
  });
}

// Query options shared by the pages and the prefetch that starts with the entry script
// (app/prefetch.ts); `quiet401` there: a prefetch before the session is known never signs anyone out.
export const incidentQuery = (id: string, quiet401 = false) =>
  queryOptions({
    queryKey: ['incident', id],
    queryFn: () =>
      answer<IncidentDetail>(api.GET('/api/v1/incidents/{id}', { params: { path: { id } } }), { quiet401 }),
  });

export const pagesQuery = (incidentId: string, quiet401 = false) =>
  queryOptions({
    queryKey: ['pages', incidentId],
    queryFn: () =>
      answer<{ messages: PageMessage[] }>(
        api.GET('/api/v1/incidents/{id}/pages', { params: { path: { id: incidentId } } }),
        { quiet401 },
      ).then((a) => a.messages),
  });

export function useIncident(id: string) {
  return useQuery(incidentQuery(id));
}

export function usePages(incidentId: string) {
  return useQuery(pagesQuery(incidentId));
}

export function usePlans() {
  return useQuery({
    queryKey: ['plans'],
    queryFn: () => answer<{ plans: PlanSummary[] }>(api.GET('/api/v1/plans')).then((a) => a.plans),
    staleTime: 60_000,
  });
}

export const planQuery = (name: string | undefined, version?: number, quiet401 = false) =>
  queryOptions({
    queryKey: ['plan', name, version ?? 'current'],
    enabled: Boolean(name),
    queryFn: () =>
      answer<PlanVersion>(
        api.GET('/api/v1/plans/{name}', {
          params: { path: { name: name ?? '' }, query: version ? { version } : {} },
        }),
        { quiet401 },
      ),
    staleTime: 60_000,
  });

/** A plan at one version (an incident runs under the version it was declared with). */
export function usePlan(name: string | undefined, version?: number) {
  return useQuery(planQuery(name, version));
}

/** A change to one incident; the incident and the lists refetch when it commits. */
export function useIncidentAction<V>(id: string, run: (vars: V) => Promise<unknown>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: run,
    // Pending until the incident is read again, so a ticked box never flips back in between.
    onSuccess: () =>
      Promise.all([
        client.invalidateQueries({ queryKey: ['incident', id] }),
        client.invalidateQueries({ queryKey: ['incidents'] }),
        client.invalidateQueries({ queryKey: ['pages', id] }),
      ]),
  });
}
