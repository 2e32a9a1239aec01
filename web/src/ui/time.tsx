import { useEffect, useState } from 'react';
import { useViewerZone } from '../auth/session';

/** The current time, re-read every `everyMs` (target clocks count down, relative times stay true). */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1000],
];

/** "in 4 minutes", "3 hours ago": the largest whole unit. */
export function relative(atMs: number, nowMs: number, locale?: string): string {
  const diff = atMs - nowMs;
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  for (const [unit, ms] of UNITS) {
    if (Math.abs(diff) >= ms || unit === 'second') return rtf.format(Math.trunc(diff / ms), unit);
  }
  return rtf.format(0, 'second');
}

/** A date and time in a time zone, e.g. "Thu 3 Dec, 13:04". */
export function formatAt(at: string | number | Date, timeZone: string, withZone = false): string {
  return new Intl.DateTimeFormat(undefined, {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    ...(withZone ? { timeZoneName: 'short' } : {}),
  }).format(new Date(at));
}

/** An instant shown in the viewer's zone, relative, with the exact time on hover and for readers. */
export function Time({ at, now }: { at: string; now?: number }) {
  const zone = useViewerZone();
  const current = useNow(30_000);
  const ms = new Date(at).getTime();
  return (
    <time dateTime={at} title={formatAt(at, zone, true)}>
      {relative(ms, now ?? current)}
    </time>
  );
}

/** "4 min 05 s" for a countdown; whole minutes above an hour. */
export function duration(ms: number): string {
  const s = Math.floor(Math.abs(ms) / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h} h ${String(m).padStart(2, '0')} min`;
  return `${m} min ${String(sec).padStart(2, '0')} s`;
}
