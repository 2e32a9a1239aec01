import type { Logger } from 'pino';
import type { Clock } from '../db/clock.ts';
import type { Db } from '../db/schema.ts';
import { Forbidden, Unauthorized } from '../errors.ts';

export const ROLES = ['viewer', 'responder', 'manager', 'admin'] as const;
export type Role = (typeof ROLES)[number];

// Each permission names the least role that holds it. Operations call ctx.require() first, so the
// check lives with the operation, not with whichever route or command called it.
export const PERMISSIONS = {
  read: 'viewer',
  'incident:declare': 'responder',
  'incident:update': 'responder',
  'incident:note': 'responder',
  'plan:write': 'manager',
  'service:write': 'manager',
  // HTTP checks and vendor status watches make Tocsin send requests: set up by managers.
  'check:write': 'manager',
  'alert:update': 'responder',
  // Whoever is on call silences a noisy alert; maintenance windows are planned by managers.
  'silence:write': 'responder',
  'maintenance:write': 'manager',
  'team:write': 'manager',
  'user:write': 'admin',
  'token:create-own': 'viewer',
  'token:create-any': 'admin',
  // Listing and revoking someone else's tokens (one's own: token:create-own).
  'token:manage-any': 'admin',
  // Listing and signing out someone else's browser sessions (one's own: read).
  'session:manage-any': 'admin',
  // /health/detailed and /metrics show module errors and internals.
  'monitoring:read': 'manager',
  'audit:read': 'manager',
  // Dead letters and delivery errors show destinations and payloads: for managers.
  'outbox:read': 'manager',
  // Managers shape schedules; whoever is on call may hand a shift to a colleague (an override).
  'schedule:write': 'manager',
  'policy:write': 'manager',
  // The public status page: managers shape it; responders set a component's status during incidents.
  'status-page:write': 'manager',
  'status-page:status': 'responder',
  'override:write': 'responder',
  // Everyone manages how they are reached (viewers are notified too); managers set anyone's up.
  // Responders may see a colleague's contact methods (who will get the page, how); viewers only their own.
  'contact:write-own': 'viewer',
  'contact:write-any': 'manager',
  'contact:read-any': 'responder',
  // Post-mortems: responders write them and their action items; a manager publishes after review.
  'postmortem:write': 'responder',
  'postmortem:publish': 'manager',
  'action-item:write': 'responder',
} as const satisfies Record<string, Role>;

export type Permission = keyof typeof PERMISSIONS;

/** Whether a role holds a permission: the web console hides what the operation would refuse. */
export function roleMay(role: string | null | undefined, permission: Permission): boolean {
  const rank = ROLES.indexOf(role as Role);
  return rank >= 0 && rank >= ROLES.indexOf(PERMISSIONS[permission]);
}

export interface Actor {
  kind: 'user' | 'system' | 'anonymous';
  userId: string | null;
  name: string;
  role: Role | null;
  leadership: boolean;
}

export const SYSTEM_ACTOR: Actor = {
  kind: 'system',
  userId: null,
  name: 'tocsin',
  role: 'admin',
  leadership: false,
};
export const ANONYMOUS: Actor = {
  kind: 'anonymous',
  userId: null,
  name: 'anonymous',
  role: null,
  leadership: false,
};

export function roleAtLeast(role: Role | null, least: Role): boolean {
  return role !== null && ROLES.indexOf(role) >= ROLES.indexOf(least);
}

/** Whether an actor holds a permission (outside an operation: e.g. filtering a live event stream). */
export function actorCan(actor: Actor, permission: Permission): boolean {
  return actor.kind !== 'anonymous' && roleAtLeast(actor.role, PERMISSIONS[permission]);
}

export interface Ctx {
  db: Db;
  clock: Clock;
  actor: Actor;
  log?: Logger | undefined;
  /**
   * False in drills: the operations reach no system outside Tocsin (verification checks do not query
   * Prometheus; they are ticked by hand). Unset: live.
   */
  live?: boolean | undefined;
  require(permission: Permission): void;
  /** Whether the actor holds a permission (for showing more or less, not for refusing). */
  can(permission: Permission): boolean;
}

export function makeCtx(
  deps: { db: Db; clock: Clock; log?: Logger | undefined; live?: boolean | undefined },
  actor: Actor,
): Ctx {
  return {
    ...deps,
    actor,
    can(permission) {
      return actorCan(actor, permission);
    },
    require(permission) {
      if (actor.kind === 'anonymous')
        throw new Unauthorized('an API token is required (Authorization: Bearer …)');
      const least = PERMISSIONS[permission];
      if (!roleAtLeast(actor.role, least)) {
        throw new Forbidden(`${permission} needs role ${least} or higher; ${actor.name} is ${actor.role}`);
      }
    },
  };
}

export interface Operation<I> {
  ctx: Ctx;
  input: I;
}
