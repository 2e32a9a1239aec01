import { formatTable } from '../../lib/table.ts';
import { issuesToSourceErrors, parseYamlSource, type SourceError } from '../../lib/yaml-source.ts';
import type { DrillReport } from './run-drill.ts';
import { type Scenario, scenarioSchema } from './scenario.ts';

/** Parses a drill scenario file; errors are file:line:col. */
export function loadScenario(text: string, file: string): { scenario?: Scenario; errors: SourceError[] } {
  const source = parseYamlSource(text, file);
  if (source.errors.length > 0) return { errors: source.errors };
  const doc = source.documents[0];
  if (!doc) return { errors: [{ file, line: 1, col: 1, message: 'the file holds no scenario' }] };
  const parsed = scenarioSchema.safeParse(doc.value);
  if (!parsed.success) return { errors: issuesToSourceErrors(doc, parsed.error.issues) };
  return { scenario: parsed.data, errors: [] };
}

/** The report people read: one row per target (due, met at, verdict), then cadence and workflows. */
export function formatDrillReport(r: DrillReport): string {
  const lines: string[] = [];
  const declared = r.declared_severity !== r.severity ? ` (declared ${r.declared_severity})` : '';
  lines.push(
    `Drill of plan ${r.plan} (version ${r.plan_version}), ${r.severity} ${r.severity_title}${declared}${r.type ? `, type ${r.type}` : ''}${r.code_name ? `, confidential as ${r.code_name}` : ''}`,
  );
  lines.push(
    `scenario ${r.scenario}; incident #${r.incident_id}; virtual time ${r.started_at} → ${r.ended_at}`,
  );
  lines.push('');
  lines.push(
    formatTable(
      ['target', 'due', 'met at', 'verdict'],
      r.targets.map((t) => [
        t.target,
        `${t.due_offset} (${t.duration})`,
        t.met_offset ?? '—',
        verdictLabel(t.verdict),
      ]),
    ),
  );
  if (r.cadence.length > 0) {
    lines.push('');
    lines.push(
      formatTable(
        ['cadence', 'every', 'updates', 'longest gap', 'verdict'],
        r.cadence.map((c) => [
          `${c.audience} updates`,
          c.every,
          c.updates,
          c.max_gap,
          verdictLabel(c.verdict),
        ]),
      ),
    );
  }
  if (r.workflows.length > 0) {
    lines.push('');
    lines.push(
      formatTable(
        ['workflow fired', 'trigger', 'at'],
        r.workflows.map((w) => [w.workflow, w.trigger, w.at_offset]),
      ),
    );
  }
  if (r.rules.length > 0) {
    lines.push('');
    lines.push(
      formatTable(
        ['rule', 'expected', 'actual', 'verdict', 'note'],
        r.rules.map((x) => [
          x.rule,
          x.expected,
          x.actual,
          x.verdict === 'breached' ? 'BREACHED' : x.verdict,
          x.note ?? '',
        ]),
      ),
    );
  }
  if (r.roles.length > 0) {
    lines.push('');
    lines.push(
      formatTable(
        ['role', 'holder', 'was', 'at', 'how'],
        r.roles.map((x) => [x.role, x.user, x.previous ?? '—', x.at_offset, x.how]),
      ),
    );
  }
  if (r.alerts.length > 0) {
    lines.push('');
    lines.push(
      formatTable(
        ['alert', 'action', 'at', 'ingest', 'alert rules'],
        r.alerts.map((a) => [a.key, a.action, a.at_offset, a.outcome, a.routing ?? '—']),
      ),
    );
  }
  if (r.incidents.length > 1) {
    lines.push('');
    lines.push(
      `incidents opened: ${r.incidents.map((i) => `#${i.id} at ${i.opened_offset} (${i.severity}, ${i.state}${i.merged_into ? `, merged into #${i.merged_into}` : ''})`).join('; ')}`,
    );
  }
  if (r.deliveries.length > 0) {
    lines.push('');
    lines.push('where the published updates went:');
    lines.push(
      formatTable(
        ['update', 'at', 'to', 'destination', 'language', 'text'],
        r.deliveries.map((d) => [
          `${d.update_id} ${d.audience}`,
          d.at_offset,
          d.to,
          d.destination,
          d.language,
          oneLine(d.text),
        ]),
      ),
    );
  }
  if (r.messages.length > 0) {
    lines.push('');
    lines.push(`messages that would have been sent (${r.messages.length}):`);
    lines.push(
      formatTable(
        ['at', 'channel', 'to', 'text'],
        r.messages.map((m) => [
          m.at_offset,
          m.channel,
          m.shadow ? `${m.to} (shadow)` : m.to,
          oneLine(m.text),
        ]),
      ),
    );
  }
  if (r.not_checked.length > 0) {
    lines.push('');
    lines.push(`not checked (${r.not_checked.length} plan fields a drill does not judge):`);
    lines.push(
      formatTable(
        ['field', 'why'],
        r.not_checked.map((n) => [n.field, n.reason]),
      ),
    );
  }
  for (const e of r.action_errors) {
    lines.push(`workflow "${e.workflow}" failed at ${e.at_offset}: ${e.error}`);
  }
  for (const s of r.steps.filter((x) => x.note)) lines.push(`step ${s.at} ${s.do}: ${s.note}`);
  const failed = r.steps.filter((s) => !s.ok);
  if (failed.length > 0) {
    lines.push('');
    for (const s of failed) lines.push(`step ${s.at} ${s.do} failed: ${s.error}`);
  }
  const met =
    r.targets.filter((t) => t.verdict === 'met').length + r.cadence.filter((c) => c.verdict === 'met').length;
  const total = r.targets.length + r.cadence.length;
  lines.push('');
  const judged = r.rules.filter((x) => x.verdict !== 'not checked');
  const rulesMet = judged.filter((x) => x.verdict === 'met').length;
  const unchecked = r.rules.length - judged.length;
  const more =
    r.rules.length > 0
      ? `; other rules: ${rulesMet} of ${judged.length} met${unchecked > 0 ? `, ${unchecked} not checked` : ''}`
      : '';
  lines.push(`${r.passed ? 'PASS' : 'FAIL'}: ${met} of ${total} targets met${more}`);
  return lines.join('\n');
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 100 ? `${line.slice(0, 99)}…` : line;
}

function verdictLabel(v: string): string {
  return v === 'met' ? 'met' : v === 'breached' ? 'BREACHED' : 'pending';
}
