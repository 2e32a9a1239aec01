import { describeEvent } from '../../../src/domain/incidents/describe-event.ts';
import type { TimelineEvent } from '../api/models';
import { Time } from '../ui/time';

/** The timeline as sentences (the same wording as the CLI), newest last. */
export function Timeline({ events }: { events: TimelineEvent[] }) {
  return (
    <ol className="timeline" aria-label="Timeline">
      {events.map((e) => (
        <li key={e.id} className={`event event-${e.kind.replace(/\W/g, '-')}`}>
          <Time at={e.at} />
          <span>
            <strong>{e.actor_name ?? 'tocsin'}</strong> {describeEvent(e.kind, e.data)}
          </span>
        </li>
      ))}
    </ol>
  );
}
