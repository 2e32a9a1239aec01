import type { Operation } from '../context.ts';
import * as users from './queries.ts';
import { publicUser } from './users.ts';

export async function listUsers({ ctx }: Operation<void>) {
  ctx.require('read');
  return (await users.list(ctx.db)).map(publicUser);
}
