import type { Shift } from '../api/models';
import { formatAt } from '../ui/time';
import { shiftSegments } from './days';

// The drawn week (or month): one row a day in the viewer's time zone, each shift a bar across the
// hours it covers (a DST day's row is its real 23 or 25 hours). A list of days with text, so it reads
// as well without sight as with; the table beside it has the exact times in both zones.

const HOURS = [0, 6, 12, 18];

export function colourOf(users: string[]): number {
  let h = 0;
  for (const ch of users.join(',')) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return h % 4;
}

export function ShiftGrid({
  days,
  dayAfter,
  shifts,
  zone,
  label,
}: {
  days: Date[];
  dayAfter: Date;
  shifts: Shift[];
  zone: string;
  label: string;
}) {
  const segments = shiftSegments(days, dayAfter, shifts);
  const dayName = new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
  });
  const time = new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  return (
    <figure className="shift-grid">
      <figcaption className="small muted">{label}</figcaption>
      <div className="shift-grid-hours" aria-hidden="true">
        <span />
        <div>
          {HOURS.map((h) => (
            <span key={h} style={{ left: `${(h / 24) * 100}%` }}>
              {String(h).padStart(2, '0')}:00
            </span>
          ))}
        </div>
      </div>
      <ol className="plain" aria-label={label}>
        {days.map((day, i) => {
          const next = days[i + 1] ?? dayAfter;
          const own = segments.filter((s) => s.day === i);
          return (
            <li key={day.toISOString()} className="shift-grid-day">
              <span className="shift-grid-label">{dayName.format(day)}</span>
              <ul className="plain shift-grid-track">
                {own.length === 0 && <li className="visually-hidden">nobody on call</li>}
                {own.map((s) => {
                  const at = (f: number) => new Date(day.getTime() + f * (next.getTime() - day.getTime()));
                  const who = s.users.join(', ') || 'nobody';
                  const text = `${who} ${time.format(at(s.from))}–${s.to >= 1 ? '24:00' : time.format(at(s.to))}${
                    s.override ? ' (override)' : ''
                  }`;
                  return (
                    <li
                      key={`${s.from}-${who}`}
                      className={`shift-bar shift-c${colourOf(s.users)}${s.override ? ' shift-override' : ''}`}
                      style={{ left: `${s.from * 100}%`, width: `${(s.to - s.from) * 100}%` }}
                      title={`${text}, from ${formatAt(at(s.from), zone)}`}
                    >
                      <span className="shift-bar-text">{text}</span>
                    </li>
                  );
                })}
              </ul>
            </li>
          );
        })}
      </ol>
    </figure>
  );
}
