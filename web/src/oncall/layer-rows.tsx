import { formatAt } from '../ui/time';
import { colourOf } from './shift-grid';

// A schedule's timeline drawn one row per layer, a row of overrides and the final row (who is paged),
// across the range shown. Bars carry their times in the viewer's zone and the schedule's beside them;
// the day marks above are the viewer's midnights and those below the schedule's, so a DST day is
// visibly 23 or 25 hours wide and a handoff that keeps 08:00 in its zone moves in the viewer's.

export interface TimelineBar {
  start: string;
  end: string;
  who: string;
  override?: boolean;
}
export interface TimelineRow {
  label: string;
  bars: TimelineBar[];
}

/** Where a bar sits in the range, as fractions (0 … 1) of it; bars outside it are left out. */
export function placeBars(
  bars: TimelineBar[],
  from: Date,
  to: Date,
): (TimelineBar & { left: number; width: number })[] {
  const f = from.getTime();
  const span = to.getTime() - f;
  if (!(span > 0)) return [];
  return bars.flatMap((b) => {
    const a = Math.max(Date.parse(b.start), f);
    const e = Math.min(Date.parse(b.end), to.getTime());
    return e > a ? [{ ...b, left: (a - f) / span, width: (e - a) / span }] : [];
  });
}

function Axis({
  marks,
  from,
  to,
  zone,
  label,
}: {
  marks: Date[];
  from: Date;
  to: Date;
  zone: string;
  label: string;
}) {
  const f = from.getTime();
  const span = to.getTime() - f;
  const day = new Intl.DateTimeFormat('en-GB', { timeZone: zone, weekday: 'short', day: 'numeric' });
  const every = marks.length > 10 ? 7 : 1;
  return (
    <div className="layer-row layer-axis" aria-hidden="true">
      <span className="layer-label small muted">{label}</span>
      <div className="layer-track axis-track">
        {marks.map((m, i) => (
          <span
            key={m.toISOString()}
            className="axis-mark"
            style={{ left: `${((m.getTime() - f) / span) * 100}%` }}
          >
            {i % every === 0 ? day.format(m) : ''}
          </span>
        ))}
      </div>
    </div>
  );
}

export function LayerRows({
  rows,
  from,
  to,
  zone,
  scheduleZone,
  viewerMarks,
  scheduleMarks,
  label,
}: {
  rows: TimelineRow[];
  from: Date;
  to: Date;
  zone: string;
  scheduleZone: string;
  /** Midnights in the viewer's zone and in the schedule's, inside [from, to]. */
  viewerMarks: Date[];
  scheduleMarks: Date[];
  label: string;
}) {
  const time = new Intl.DateTimeFormat('en-GB', {
    timeZone: scheduleZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const sameZone = zone === scheduleZone;
  return (
    <figure className="layer-rows">
      <figcaption className="small muted">{label}</figcaption>
      <Axis marks={viewerMarks} from={from} to={to} zone={zone} label={`Yours (${zone})`} />
      <ol className="plain" aria-label={label}>
        {rows.map((row) => {
          const bars = placeBars(row.bars, from, to);
          return (
            <li key={row.label} className="layer-row" aria-label={row.label}>
              <span className="layer-label small">{row.label}</span>
              <ul className="plain layer-track">
                {bars.length === 0 && <li className="visually-hidden">nobody</li>}
                {bars.map((b) => {
                  const text = `${b.who} ${formatAt(b.start, zone)} → ${formatAt(b.end, zone)}${
                    sameZone
                      ? ''
                      : ` (${time.format(new Date(b.start))}–${time.format(new Date(b.end))} ${scheduleZone})`
                  }${b.override ? ', override' : ''}`;
                  return (
                    <li
                      key={`${b.start}-${b.who}`}
                      className={`shift-bar shift-c${colourOf([b.who])}${b.override ? ' shift-override' : ''}`}
                      style={{ left: `${b.left * 100}%`, width: `${b.width * 100}%` }}
                      title={text}
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
      {!sameZone && (
        <Axis
          marks={scheduleMarks}
          from={from}
          to={to}
          zone={scheduleZone}
          label={`Schedule (${scheduleZone})`}
        />
      )}
    </figure>
  );
}
