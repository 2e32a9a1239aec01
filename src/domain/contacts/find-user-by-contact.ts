import type { Executor } from '../../db/schema.ts';
import type { ContactKind } from '../../notify/message.ts';
import { normalizeAddress } from './contacts.ts';
import * as contacts from './queries.ts';

/**
 * Whose verified contact method is this address (an SMS reply's sender, a Slack button's user)? The
 * user's id, or undefined when no one's, or when two people verified the same address (a shared
 * phone): an acknowledgement must not be credited to a guess.
 */
export async function findUserByContact(
  db: Executor,
  kind: ContactKind,
  address: string,
): Promise<string | undefined> {
  const owners = await contacts.verifiedOwners(db, kind, normalizeAddress(kind, address));
  return owners.length === 1 ? owners[0]?.user_id : undefined;
}
