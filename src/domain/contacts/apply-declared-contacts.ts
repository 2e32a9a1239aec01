import type { Transaction } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { inTx } from '../../db/tx.ts';
import * as audit from '../audit/queries.ts';
import { sameValue } from '../config/config.ts';
import type { Ctx, Operation } from '../context.ts';
import type { User } from '../users/users.ts';
import { type ContactMethodRow, normalizeAddress, publicContactMethod, resolveRules } from './contacts.ts';
import { contactKey, type Declared, type DeclaredContact } from './declared-contacts.ts';
import { issueCode } from './issue-code.ts';
import * as contacts from './queries.ts';
import { targetUser } from './target-user.ts';

/**
 * Brings a user's contacts, rules and quiet hours in line with a User document (`tocsin apply`):
 * only the parts the document declares; applying it twice changes nothing the second time. New
 * methods not marked `verified: true` get a code, as if added with the CLI. Returns whether anything
 * changed.
 */
export async function applyDeclaredContacts({
  ctx,
  input,
}: Operation<{ user: string; declared: Declared }>): Promise<boolean> {
  const d = input.declared;
  if (d.contacts === undefined && d.notificationRules === undefined && d.quietHours === undefined)
    return false;
  return inTx(ctx.db, async (tx) => {
    const user = await targetUser(ctx, tx, input.user, 'write');
    let changed = false;
    let methods = await contacts.lockMethods(tx, user.id);
    if (d.contacts) {
      changed = (await syncContacts(ctx, tx, user, methods, d.contacts)) || changed;
      methods = await contacts.listMethods(tx, user.id);
    }
    if (d.notificationRules) {
      const resolved = resolveRules(methods, d.notificationRules, 'notificationRules');
      const current = (await contacts.listRules(tx, user.id)).map((r) => ({
        contactMethodId: r.contact_method_id,
        delaySeconds: r.delay_seconds,
      }));
      if (!sameValue(current, resolved)) {
        await contacts.replaceRules(tx, user.id, resolved);
        await audit.record(tx, ctx.actor, ctx.clock.now(), {
          action: 'notification_rules.updated',
          entityType: 'user',
          entityId: user.id,
          before: { rules: current },
          after: { rules: resolved },
        });
        changed = true;
      }
    }
    if (d.quietHours !== undefined) {
      const q = await contacts.findQuietHours(tx, user.id);
      const before = q ? { start: q.starts, end: q.ends } : null;
      if (!sameValue(before, d.quietHours)) {
        const next = d.quietHours ? { starts: d.quietHours.start, ends: d.quietHours.end } : null;
        await contacts.setQuietHours(tx, user.id, next);
        await audit.record(tx, ctx.actor, ctx.clock.now(), {
          action: 'quiet_hours.updated',
          entityType: 'user',
          entityId: user.id,
          before,
          after: d.quietHours,
        });
        changed = true;
      }
    }
    return changed;
  });
}

/** Deletes methods the document no longer lists, updates the listed ones, adds the new ones. */
async function syncContacts(
  ctx: Ctx,
  tx: Transaction<Database>,
  user: User,
  methods: ContactMethodRow[],
  declared: DeclaredContact[],
): Promise<boolean> {
  const now = ctx.clock.now();
  const wanted = new Map(declared.map((c) => [contactKey(c), c]));
  const record = (action: string, id: string, before?: ContactMethodRow, after?: ContactMethodRow) =>
    audit.record(tx, ctx.actor, now, {
      action,
      entityType: 'contact_method',
      entityId: id,
      ...(before && { before: { user: user.handle, ...publicContactMethod(before) } }),
      ...(after && { after: { user: user.handle, ...publicContactMethod(after) } }),
    });
  let changed = false;
  const kept: { row: ContactMethodRow; want: DeclaredContact }[] = [];
  for (const m of methods) {
    const want = wanted.get(contactKey(m));
    if (want) {
      kept.push({ row: m, want });
      continue;
    }
    await contacts.deleteMethod(tx, m.id);
    await record('contact_method.deleted', m.id, m);
    changed = true;
  }
  // Labels may move between methods (a swap): clear the ones that change first, so the unique label
  // index never sees two methods with one label midway.
  const relabelled = kept.filter(({ row, want }) => row.label !== (want.label ?? null));
  for (const { row } of relabelled) await contacts.updateMethod(tx, row.id, { label: null });
  for (const { row, want } of kept) {
    const label = want.label ?? null;
    const verifiedAt = row.verified_at ?? (want.verified ? now : null);
    if (label === row.label && verifiedAt === row.verified_at && want.disabled === row.disabled) continue;
    const after = await contacts.updateMethod(tx, row.id, {
      label,
      verified_at: verifiedAt,
      disabled: want.disabled,
      ...(verifiedAt && !row.verified_at && { code_hash: null, code_expires_at: null }),
      updated_at: now,
    });
    await record('contact_method.updated', row.id, row, after);
    changed = true;
  }
  const existing = new Set(methods.map(contactKey));
  for (const c of declared) {
    if (existing.has(contactKey(c))) continue;
    const created = await contacts.insertMethod(tx, {
      user_id: user.id,
      kind: c.kind,
      address: normalizeAddress(c.kind, c.address),
      label: c.label ?? null,
      verified_at: c.verified ? now : null,
      disabled: c.disabled,
      created_at: now,
      updated_at: now,
    });
    const after = c.verified ? created : await issueCode(tx, created, now);
    await record('contact_method.created', created.id, undefined, after);
    changed = true;
  }
  return changed;
}
