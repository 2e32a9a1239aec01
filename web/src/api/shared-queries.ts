import { useQuery } from '@tanstack/react-query';
import { answer, api } from './client';
import type { Service, Team, User } from './models';

// Lists several pages read (filters, pickers): one query key each, so they share one cache entry.

export function useServices() {
  return useQuery({
    queryKey: ['services'],
    queryFn: () => answer<{ services: Service[] }>(api.GET('/api/v1/services')).then((a) => a.services),
  });
}

export function useTeams() {
  return useQuery({
    queryKey: ['teams'],
    queryFn: () => answer<{ teams: Team[] }>(api.GET('/api/v1/teams')).then((a) => a.teams),
  });
}

export function useUsers() {
  return useQuery({
    queryKey: ['users'],
    queryFn: () => answer<{ users: User[] }>(api.GET('/api/v1/users')).then((a) => a.users),
    staleTime: 60_000,
  });
}
