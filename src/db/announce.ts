/** Where a failed announcement is reported (the operation's logger). */
export type AnnounceLog = { warn(obj: object, msg: string): void } | undefined;

/**
 * Sends the announcement of a write that has committed (migrations 0820 and 0830: the NOTIFY sent
 * after the commit instead of at it). The write is committed whatever happens here: a failure is only
 * logged — a lost announcement costs what a lost NOTIFY does: the engine's next poll, the list cache's
 * maximum age — and never answered as the write's failure (which a caller could retry and so apply
 * twice).
 */
export async function announceCommitted(
  send: () => Promise<unknown>,
  log: AnnounceLog,
  context: object,
  msg: string,
): Promise<void> {
  try {
    await send();
  } catch (error) {
    log?.warn({ err: error, ...context }, msg);
  }
}
