import { NotFound } from '../../errors.ts';
import type { Operation } from '../context.ts';
import { publicCheck } from './checks.ts';
import * as checks from './queries.ts';

export async function getCheck({ ctx, input }: Operation<{ name: string }>) {
  ctx.require('read');
  const check = await checks.findCheck(ctx.db, input.name);
  if (!check) throw new NotFound('check', input.name);
  return publicCheck(check);
}
