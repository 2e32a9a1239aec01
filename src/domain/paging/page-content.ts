import type { PageLayout } from '../../notify/message.ts';

// What a page says, for every channel: what happened (incident number, title, severity, service,
// the alert's source, summary and key details), who else is paged and which step this is, and how to
// acknowledge and resolve, with the incident's link. Providers cut it to their channel's limits
// (SMS `short`, push title/body, Slack blocks, Teams card); the inbox keeps it whole.

export interface PageFacts {
  incident: { id: string; title: string; severity: string; state: string; service: string | null } | null;
  /** The alert that opened the incident, when an alert did. */
  alert?: { source: string; summary: string; details: Record<string, unknown> } | undefined;
  /** The escalation's message (a manual page's text, a workflow's rendered message). */
  message: string;
  policy: string | null;
  step: number;
  steps: number;
  round: number;
  rounds: number;
  /** Other people this step pages. */
  others: string[];
  /** The incident page in Tocsin (TOCSIN_PUBLIC_URL/incidents/<id>). */
  incidentUrl: string | undefined;
  ack: { url: string; code: string } | undefined;
  /** A shadow recipient's copy (training): marked so, no acknowledging. */
  shadow?: boolean;
}

/** At most this many of an alert's details are shown, each cut to one short line. */
const MAX_DETAILS = 5;
const MAX_DETAIL_LENGTH = 80;

export function incidentUrlOf(publicUrl: string, incidentId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/incidents/${incidentId}`;
}

/** The first few details of an alert, each value on one line, cut to fit a short line with its name. */
function detailEntries(details: Record<string, unknown>): { name: string; value: string }[] {
  return Object.entries(details)
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .slice(0, MAX_DETAILS)
    .map(([name, v]) => {
      const text = (typeof v === 'string' ? v : JSON.stringify(v)).replace(/\s+/g, ' ');
      const room = Math.max(1, MAX_DETAIL_LENGTH - name.length - 4);
      return { name, value: text.length > room ? `${text.slice(0, room - 1)}…` : text };
    });
}

function detailLines(details: Record<string, unknown>): string[] {
  return detailEntries(details).map((d) => `  ${d.name}: ${d.value}`);
}

/** The CLI command that resolves the incident (what a page tells people besides the incident page). */
const resolveCommand = (incidentId: string) => `npx tocsin incident resolve ${incidentId}`;

/** The page's parts for Slack blocks and Teams cards (the payload's `page`). */
export function pageLayout(f: PageFacts): PageLayout {
  return {
    service: f.incident?.service ?? null,
    ...(f.alert
      ? {
          alert: {
            source: f.alert.source,
            summary: f.alert.summary,
            details: detailEntries(f.alert.details),
          },
        }
      : {}),
    step: f.step,
    steps: f.steps,
    round: f.round,
    rounds: f.rounds,
    policy: f.policy,
    others: f.others,
    ...(f.incident ? { resolve: resolveCommand(f.incident.id) } : {}),
  };
}

/** The subject line: `[SEV1] #12 Payments DB down (payments)`. */
export function pageSubject(f: PageFacts): string {
  const inc = f.incident;
  const shadow = f.shadow ? '[shadow] ' : '';
  if (!inc) return `${shadow}Page: ${f.message.split('\n')[0] ?? ''}`;
  return `${shadow}[${inc.severity}] #${inc.id} ${inc.title}${inc.service ? ` (${inc.service})` : ''}`;
}

function stepLine(f: PageFacts): string {
  if (f.shadow) {
    return `You are shadowing step ${f.step} of ${f.steps} (training): you cannot acknowledge, and the escalation goes on without you.`;
  }
  const round = f.rounds > 1 ? `, round ${f.round} of ${f.rounds}` : '';
  const policy = f.policy ? ` of ${f.policy}` : '';
  const others = f.others.length > 0 ? ` Also paged now: ${f.others.join(', ')}.` : '';
  return `You are paged at step ${f.step} of ${f.steps}${policy}${round}.${others}`;
}

/** The whole page as plain text: email's text part, push body, the inbox, chat. */
export function pageText(f: PageFacts): string {
  const inc = f.incident;
  const lines: string[] = [];
  if (inc) {
    lines.push(`Incident #${inc.id}: ${inc.title}`);
    lines.push(`Severity ${inc.severity}, ${inc.state}${inc.service ? `, service ${inc.service}` : ''}`);
    if (f.alert) {
      lines.push(`Alert from ${f.alert.source || 'an integration'}: ${f.alert.summary}`);
      lines.push(...detailLines(f.alert.details));
    }
    const message = f.message.trim();
    if (message && !message.startsWith(`[${inc.severity}] ${inc.title}`)) lines.push(message);
  } else {
    lines.push(f.message.trim());
  }
  lines.push('', stepLine(f));
  if (f.ack) {
    lines.push(
      `Acknowledge (stops the escalation: nobody else is paged): ${f.ack.url}` +
        ` — or reply ${f.ack.code} to an SMS page.`,
    );
  }
  if (inc) {
    lines.push(`Resolve when it is over: ${resolveCommand(inc.id)}, or on the incident page.`);
    if (f.incidentUrl) lines.push(`Incident: ${f.incidentUrl}`);
  }
  return lines.join('\n');
}

/** GSM 03.38 basic character set (and the escape table, which costs two each): else an SMS is UCS-2. */
const GSM7 =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM7_EXTENDED = '^{}\\[~]|€';

/** How many characters of one SMS segment a text needs (GSM-7), or null when it needs UCS-2. */
function gsm7Length(text: string): number | null {
  let n = 0;
  for (const ch of text) {
    if (GSM7.includes(ch)) n += 1;
    else if (GSM7_EXTENDED.includes(ch)) n += 2;
    else return null;
  }
  return n;
}

/** One SMS segment: 160 GSM-7 characters, or 70 UTF-16 units when the text needs UCS-2. */
export function fitsOneSms(text: string): boolean {
  const gsm = gsm7Length(text);
  return gsm === null ? text.length <= 70 : gsm <= 160;
}

/** `head + tail` in one SMS segment, `head` cut (by whole characters, ending "...") when needed. */
export function oneSms(head: string, tail: string): string {
  if (fitsOneSms(`${head}${tail}`)) return `${head}${tail}`;
  const chars = Array.from(head);
  while (chars.length > 0 && !fitsOneSms(`${chars.join('')}...${tail}`)) chars.pop();
  return `${chars.join('').trimEnd()}...${tail}`;
}

/** The SMS text of a page: `[SEV1] #12 Title (service) Reply 4821 to ack` in one segment. */
export function pageSms(f: PageFacts): string {
  const tail = f.ack ? ` Reply ${f.ack.code} to ack` : '';
  return oneSms(pageSubject(f), tail);
}
