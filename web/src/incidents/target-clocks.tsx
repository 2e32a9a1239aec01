import type { TargetClock } from '../api/models';
import { duration, useNow } from '../ui/time';

const NAMES: Record<string, string> = {
  acknowledge: 'Acknowledge',
  triage: 'Triage',
  firstUpdate: 'First update',
  statusPage: 'Status page',
  mitigate: 'Mitigate',
  resolve: 'Resolve',
};

/** Amber in the last fifth of the target (at least the last minute), red once breached. */
export function clockTone(target: TargetClock, now: number): 'met' | 'ok' | 'near' | 'breached' {
  if (target.met_at) return 'met';
  const left = new Date(target.due_at).getTime() - now;
  if (left <= 0 || target.status === 'breached') return 'breached';
  return left <= Math.max(60_000, target.duration_ms / 5) ? 'near' : 'ok';
}

/** The incident's target clocks counting down; fixed width so ticking never moves the layout. */
export function TargetClocks({ targets }: { targets: TargetClock[] }) {
  const now = useNow(1000);
  if (targets.length === 0) return <p className="muted">The plan sets no targets for this severity.</p>;
  return (
    <ul className="clocks" aria-label="Target clocks">
      {targets.map((t) => {
        const tone = clockTone(t, now);
        const left = new Date(t.due_at).getTime() - now;
        const text =
          tone === 'met'
            ? 'met'
            : tone === 'breached'
              ? `breached ${duration(left)} ago`
              : `due in ${duration(left)}`;
        return (
          <li key={t.target} className={`clock clock-${tone}`} data-tone={tone}>
            <span className="clock-name">{NAMES[t.target] ?? t.target}</span>
            <span className="clock-time">{text}</span>
          </li>
        );
      })}
    </ul>
  );
}
