import { z } from 'zod';
import { applyDeclaredContacts } from '../../contacts/apply-declared-contacts.ts';
import {
  type Declared,
  declaredContactsSpec,
  declaredDiffStates,
  declaredProblems,
} from '../../contacts/declared-contacts.ts';
import * as users from '../../users/queries.ts';
import { saveUser, saveUsers } from '../../users/save-user.ts';
import { handleSchema, isValidTimeZone, type User, userInputSchema } from '../../users/users.ts';
import {
  type Change,
  type ConfigDocument,
  type Diff,
  defineKind,
  diffAgainst,
  documentSchema,
  errorAt,
  parseDocument,
} from '../config.ts';

// kind: User — metadata.name is the handle; spec holds the rest, in the camelCase of YAML documents.
//   apiVersion: tocsin.dev/v1
//   kind: User
//   metadata: { name: selam }
//   spec: { name: Selam Tesfaye, email: selam@example.com, role: manager, leadership: true, timeZone: Africa/Addis_Ababa }
// Optional spec.contacts, spec.notificationRules and spec.quietHours: see contacts/declared-contacts.ts.

const spec = userInputSchema
  .omit({ handle: true, time_zone: true })
  .extend({ timeZone: userInputSchema.shape.time_zone, ...declaredContactsSpec });

export const userDocumentSchema = documentSchema('User', z.strictObject({ name: handleSchema }), spec);
type UserDocument = z.output<typeof userDocumentSchema>;

/** What a User document sets, in the shape both sides of a diff share. */
function wanted(doc: UserDocument) {
  const s = doc.spec;
  return {
    name: s.name,
    email: s.email ?? null,
    role: s.role,
    leadership: s.leadership,
    timeZone: s.timeZone,
  };
}

function declared(doc: UserDocument): Declared {
  const { contacts, notificationRules, quietHours } = doc.spec;
  return { contacts, notificationRules, quietHours };
}

function hasDeclared(d: Declared): boolean {
  return d.contacts !== undefined || d.notificationRules !== undefined || d.quietHours !== undefined;
}

function stored(row: User): ReturnType<typeof wanted> {
  return {
    name: row.name,
    email: row.email,
    role: row.role,
    leadership: row.leadership,
    timeZone: row.time_zone,
  };
}

export const userKind = defineKind<UserDocument>({
  kind: 'User',
  order: 10,
  permission: 'user:write',
  validate(doc) {
    const parsed = parseDocument(userDocumentSchema, doc);
    if (parsed.errors) return parsed;
    const zone = parsed.value.spec.timeZone;
    const errors = declaredProblems(declared(parsed.value)).map((p) =>
      errorAt(doc, ['spec', ...p.path], p.message),
    );
    if (!isValidTimeZone(zone))
      errors.unshift(errorAt(doc, ['spec', 'timeZone'], `"${zone}" is not an IANA time zone`));
    return errors.length > 0 ? { errors } : parsed;
  },
  name: (doc) => doc.metadata.name,
  async plan(ctx, doc) {
    const row = await users.findByHandle(ctx.db, doc.metadata.name);
    const contacts = await declaredDiffStates(ctx.db, row?.id, declared(doc));
    return diffAgainst(row && { ...stored(row), ...contacts.stored }, { ...wanted(doc), ...contacts.wanted });
  },
  async apply(ctx, doc) {
    const w = wanted(doc);
    const { change } = await saveUser({
      ctx,
      input: {
        user: {
          handle: doc.metadata.name,
          name: w.name,
          email: w.email,
          role: w.role,
          leadership: w.leadership,
          time_zone: w.timeZone,
        },
        mode: 'upsert',
      },
    });
    const contactsChanged = await applyDeclaredContacts({
      ctx,
      input: { user: doc.metadata.name, declared: declared(doc) },
    });
    return change === 'unchanged' && contactsChanged ? 'updated' : change;
  },
  async applyMany(ctx, docs, sources) {
    // Documents with contacts, rules or quiet hours go one by one; the rest in one saveUsers.
    const simple = docs.filter((d) => !hasDeclared(declared(d)));
    const rows = new Map(
      (
        await users.findManyByHandle(
          ctx.db,
          simple.map((d) => d.metadata.name),
        )
      ).map((u) => [u.handle, u]),
    );
    const saved = await saveUsers({
      ctx,
      input: {
        users: simple.map((doc) => {
          const w = wanted(doc);
          return {
            handle: doc.metadata.name,
            name: w.name,
            email: w.email,
            role: w.role,
            leadership: w.leadership,
            time_zone: w.timeZone,
          };
        }),
        mode: 'upsert',
      },
    });
    const bySimple = new Map(simple.map((doc, i) => [doc, saved[i]?.change ?? 'unchanged']));
    const out: { diff: Diff; change: Change }[] = [];
    for (const [i, doc] of docs.entries()) {
      const change = bySimple.get(doc);
      if (change === undefined) {
        const diff = await this.plan(ctx, doc);
        out.push({ diff, change: await this.apply(ctx, doc, sources[i] as ConfigDocument) });
        continue;
      }
      const row = rows.get(doc.metadata.name);
      out.push({ diff: diffAgainst(row && stored(row), wanted(doc)), change });
    }
    return out;
  },
  locate: (detailPath) =>
    detailPath === 'handle'
      ? ['metadata', 'name']
      : ['spec', ...detailPath.split('.').map((p) => (p === 'time_zone' ? 'timeZone' : p))],
});
