import type { EscalationStatus, NewRow } from './schema.ts';

// What one engine transaction has already read or started, so the incidents a tick pages one after
// another do not each read again what does not change under the tick: the same service's escalation
// policy and maintenance windows, the same group's people, their notification rules, their live
// reply codes. Opt-in per transaction (the engine modules that page call withTxMemo on their tx);
// any other transaction (an HTTP request that may change a person and page them) reads as before.
// Only reads the tick itself never changes are memoized; what the tick writes and reads back is
// tracked here by the code that writes it (the reply codes it hands out, the escalations it starts).

export class TxMemo {
  private readonly values = new Map<string, unknown>();
  /** Incidents declared by this transaction: no other transaction can have paged anyone for them. */
  readonly newIncidents = new Set<string>();
  /** Escalations this transaction started, by incident (kept after a rolled-back savepoint: safe). */
  readonly escalationsOf = new Map<string, Set<string>>();
  /**
   * Live reply codes per person, as read once and then grown by every code this transaction hands
   * out (codes of a rolled-back savepoint stay: a code avoided for nothing, never a code reused).
   */
  readonly liveCodes = new Map<string, Set<string>>();

  /**
   * While true (a batch of workflow firings without a savepoint each: workflows/fire.ts firingsOf), an
   * escalation step's writes — its ack tokens, inbox items and messages, and the statement moving the
   * escalation on with its timeline event — wait in `pending`, and the batch writes every step's in
   * two statements (paging/flush-steps.ts) before its savepoint is released. Anything that reads them
   * back flushes first.
   */
  deferSteps = false;
  pending: PendingSteps = emptyPending();

  async get<T>(key: string, load: () => Promise<T>): Promise<T> {
    if (this.values.has(key)) return this.values.get(key) as T;
    const value = await load();
    this.values.set(key, value);
    return value;
  }

  /** A value set for one use: returned once, then forgotten (undefined when absent). */
  take<T>(key: string): T | undefined {
    const value = this.values.get(key) as T | undefined;
    this.values.delete(key);
    return value;
  }

  set(key: string, value: unknown): void {
    this.values.set(key, value);
  }

  startedEscalation(incidentId: string, escalationId: string): void {
    const own = this.escalationsOf.get(incidentId) ?? new Set<string>();
    own.add(escalationId);
    this.escalationsOf.set(incidentId, own);
  }

  /**
   * Whether this escalation is the only one that can have paged anyone for its incident: the incident
   * is this transaction's, and the transaction started no other escalation for it.
   */
  onlyEscalationOf(incidentId: string, escalationId: string): boolean {
    if (!this.newIncidents.has(incidentId)) return false;
    for (const id of this.escalationsOf.get(incidentId) ?? []) if (id !== escalationId) return false;
    return true;
  }
}

export interface EscalationMove {
  step: number;
  round: number;
  next_at: Date | null;
  status: EscalationStatus;
  updated_at: Date;
}

export interface PendingSteps {
  ackTokens: NewRow<'ack_tokens'>[];
  inbox: NewRow<'inbox_items'>[];
  outbox: NewRow<'outbox'>[];
  advances: { id: string; set: EscalationMove; event: NewRow<'incident_events'> | undefined }[];
  /** Workflow runs' outcomes and their audit entries (workflows/fire.ts). */
  runs: { id: string; actions: unknown[]; audit: NewRow<'audit_log'> }[];
}

export function emptyPending(): PendingSteps {
  return { ackTokens: [], inbox: [], outbox: [], advances: [], runs: [] };
}

const memos = new WeakMap<object, TxMemo>();

/** Starts memoizing for this transaction (an engine tick's); returns the memo. */
export function withTxMemo(tx: object): TxMemo {
  const memo = new TxMemo();
  memos.set(tx, memo);
  return memo;
}

export function txMemo(tx: object): TxMemo | undefined {
  return memos.get(tx);
}

/** load() once per key in a memoizing transaction; in any other, every time. */
export function memoized<T>(tx: object, key: string, load: () => Promise<T>): Promise<T> {
  const memo = memos.get(tx);
  return memo ? memo.get(key, load) : load();
}
