import { DateTime, IANAZone } from 'luxon';

// The one time-zone parser (luxon's IANA zones): plans, users, schedules and business hours agree on
// which names are zones, and a name that is not one is an error everywhere, never UTC in disguise.

export function isTimeZone(name: string): boolean {
  // IANAZone.create caches each zone and its validity: cheap on hot paths (schedules, shifts).
  return name.length > 0 && IANAZone.create(name).isValid;
}

/** The zone a name denotes; throws on a name that is not an IANA zone. */
export function zoneOf(name: string): IANAZone {
  const zone = IANAZone.create(name);
  if (!zone.isValid) throw new Error(`unknown time zone "${name}"`);
  return zone;
}

/** Local weekday (0 = Sunday … 6 = Saturday), minute of the day and date (YYYY-MM-DD) of an instant. */
export function localReading(at: Date, zone: IANAZone): { day: number; minute: number; date: string } {
  const local = DateTime.fromJSDate(at, { zone });
  return { day: local.weekday % 7, minute: local.hour * 60 + local.minute, date: local.toISODate() ?? '' };
}
