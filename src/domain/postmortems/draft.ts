import type { Row } from '../../db/schema.ts';
import { formatDuration } from '../../lib/duration.ts';
import { describeEvent } from '../incidents/describe-event.ts';
import type { TargetClock } from '../incidents/targets.ts';
import type { Plan } from '../plans/plan.ts';
import { ANALYSIS_SECTIONS, type PostmortemSection, sectionId } from './postmortem.ts';

// The first draft of a post-mortem, written from what the incident recorded. Pure: the facts come in,
// Markdown sections come out, so the wording has unit tests of its own.

export interface IncidentFacts {
  incident: Row<'incidents'>;
  plan: Plan;
  targets: TargetClock[];
  events: { at: Date; kind: string; actor_name: string; data: unknown }[];
  alerts: Pick<Row<'alerts'>, 'summary' | 'source' | 'severity' | 'dedup_key' | 'first_seen_at' | 'count'>[];
  pages: Pick<Row<'escalations'>, 'source' | 'kind' | 'status' | 'started_at' | 'ended_by'>[];
  updates: Pick<Row<'incident_updates'>, 'audience' | 'state' | 'bodies' | 'status' | 'published_at'>[];
  hypotheses: Pick<Row<'hypotheses'>, 'statement' | 'status' | 'result'>[];
}

const time = (d: Date) =>
  d
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, ' UTC');
/** Markdown table cells: a pipe or a line break would end the cell. */
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
const none = (what: string) => `_No ${what}._`;

function summary(f: IncidentFacts): string {
  const i = f.incident;
  const lines = [
    `**${i.title}** — ${i.severity}${i.service ? ` on ${i.service}` : ''}, declared ${time(i.declared_at)}` +
      `${i.resolved_at ? `, resolved ${time(i.resolved_at)}` : ''}.`,
  ];
  if (i.summary) lines.push('', i.summary);
  if (i.resolution) lines.push('', `Resolution: ${i.resolution}`);
  return lines.join('\n');
}

function impact(f: IncidentFacts): string {
  const i = f.incident;
  const lines = [i.impact || '_Describe who was affected, how, and for how long._'];
  lines.push('', `Customer-facing: ${i.customer_facing ? 'yes' : 'no'}.`);
  if (i.resolved_at) {
    const start = i.detected_at ?? i.declared_at;
    lines.push(
      `Duration: ${formatDuration(i.resolved_at.getTime() - start.getTime())} (detection to resolution).`,
    );
  }
  return lines.join('\n');
}

/** Detection, acknowledgement, resolution … each with the time it took and the plan's target. */
function response(f: IncidentFacts): string {
  const i = f.incident;
  const start = i.detected_at ?? i.declared_at;
  const byTarget = new Map(f.targets.map((t) => [t.target, t]));
  const rows: [string, Date | null, string | undefined][] = [
    ['Detected', i.detected_at, undefined],
    ['Declared', i.declared_at, undefined],
    ['Acknowledged', i.acknowledged_at, 'acknowledge'],
    ['Triaged', i.triaged_at, 'triage'],
    ['First update', i.first_update_at, 'firstUpdate'],
    ['Status page', i.status_page_at, 'statusPage'],
    ['Mitigated', i.mitigated_at, 'mitigate'],
    ['Resolved', i.resolved_at, 'resolve'],
  ];
  const out = [
    `Times are measured from detection (${time(start)}); targets from the plan ${f.plan.metadata.name}, from declaration.`,
    '',
    '| Milestone | At | After detection | Target | Result |',
    '|---|---|---|---|---|',
  ];
  for (const [label, at, kind] of rows) {
    const target = kind ? byTarget.get(kind as TargetClock['target']) : undefined;
    if (!at && !target) continue;
    out.push(
      `| ${label} | ${at ? time(at) : '—'} | ${at ? formatDuration(Math.max(0, at.getTime() - start.getTime())) : '—'} | ` +
        `${target ? formatDuration(target.duration_ms) : '—'} | ${target ? target.status : '—'} |`,
    );
  }
  return out.join('\n');
}

function timeline(f: IncidentFacts): string {
  if (f.events.length === 0) return none('events');
  return f.events
    .map(
      (e) =>
        `- ${time(e.at)} — ${e.actor_name}: ${describeEvent(e.kind, (e.data ?? {}) as Record<string, unknown>)}`,
    )
    .join('\n');
}

function alerts(f: IncidentFacts): string {
  if (f.alerts.length === 0) return none('alerts');
  return f.alerts
    .map(
      (a) =>
        `- ${time(a.first_seen_at)} — ${a.summary} (${a.source || 'integration'}, ${a.severity}, key \`${a.dedup_key}\`, ${a.count}×)`,
    )
    .join('\n');
}

function pages(f: IncidentFacts): string {
  if (f.pages.length === 0) return none('pages');
  return f.pages
    .map(
      (p) =>
        `- ${time(p.started_at)} — ${p.kind} page (${p.source}): ${p.status}${p.ended_by ? ` by ${p.ended_by}` : ''}`,
    )
    .join('\n');
}

function updates(f: IncidentFacts): string {
  const published = f.updates.filter((u) => u.status === 'published' && u.published_at);
  if (published.length === 0) return none('published updates');
  const lang = f.plan.languages?.[0];
  return published
    .map((u) => {
      const body = (lang && u.bodies[lang]) || Object.values(u.bodies)[0] || '';
      return `- ${time(u.published_at as Date)} — ${u.audience} (${u.state}): ${cell(body)}`;
    })
    .join('\n');
}

function hypotheses(f: IncidentFacts): string {
  if (f.hypotheses.length === 0) return none('hypotheses');
  const confirmed = f.hypotheses.filter((h) => h.status === 'confirmed');
  const lines = f.hypotheses.map(
    (h) => `- **${h.status}**: ${h.statement}${h.result ? ` — ${h.result}` : ''}`,
  );
  lines.push(
    '',
    confirmed.length > 0
      ? `Confirmed: ${confirmed.map((h) => h.statement).join('; ')}.`
      : '_No hypothesis was confirmed._',
  );
  return lines.join('\n');
}

/** Every section of a new post-mortem, in document order. */
export function draftSections(f: IncidentFacts): PostmortemSection[] {
  const drafted: PostmortemSection[] = [
    { id: 'summary', title: 'Summary', body: summary(f) },
    { id: 'impact', title: 'Impact', body: impact(f) },
    { id: 'response', title: 'Detection and response', body: response(f) },
    { id: 'timeline', title: 'Timeline', body: timeline(f) },
    { id: 'alerts', title: 'Alerts', body: alerts(f) },
    { id: 'pages', title: 'Pages', body: pages(f) },
    { id: 'updates', title: 'Updates', body: updates(f) },
    { id: 'hypotheses', title: 'Hypotheses', body: hypotheses(f) },
    ...ANALYSIS_SECTIONS,
  ];
  // The plan's own sections (postmortem.sections) follow, empty, unless one of ours has that name.
  const known = new Set(drafted.flatMap((s) => [s.id, sectionId(s.title)]));
  for (const title of f.plan.postmortem?.sections ?? []) {
    const id = sectionId(title);
    if (known.has(id)) continue;
    known.add(id);
    drafted.push({ id, title, body: '' });
  }
  return drafted;
}
