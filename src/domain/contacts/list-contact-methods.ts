import type { Operation } from '../context.ts';
import { type PublicContactMethod, publicContactMethod } from './contacts.ts';
import * as contacts from './queries.ts';
import { targetUser } from './target-user.ts';

export async function listContactMethods({
  ctx,
  input,
}: Operation<{ user: string }>): Promise<PublicContactMethod[]> {
  const user = await targetUser(ctx, ctx.db, input.user, 'read');
  return (await contacts.listMethods(ctx.db, user.id)).map(publicContactMethod);
}
