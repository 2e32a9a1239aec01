import type { MeetingPerson, Row } from '../../db/schema.ts';
import { escapeText, foldLine, utcStamp } from '../schedules/ical.ts';

// The calendar invitation of a post-mortem meeting, as each attendee gets it by email: an RFC 5545
// VCALENDAR with METHOD:REQUEST and one VEVENT naming every attendee, times in UTC. Rescheduling
// sends the same UID with a higher SEQUENCE, so calendars move the event.

export interface Invitation {
  uid: string;
  sequence: number;
  /** DTSTAMP: when this version of the invitation was made. */
  stamp: Date;
  start: Date;
  end: Date;
  organizer: { name: string; email: string };
  attendees: MeetingPerson[];
  summary: string;
  description: string;
  /** The post-mortem in Tocsin. */
  url: string;
}

/** A parameter value (CN): quoted, without the characters a quoted-string cannot hold. */
function paramValue(value: string): string {
  const kept = [...value].filter((ch) => ch !== '"' && (ch.codePointAt(0) ?? 0) >= 0x20);
  return `"${kept.join('')}"`;
}

/** The invitation as an .ics file (CRLF, folded lines, escaped text). */
export function invitationIcs(inv: Invitation): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Tocsin//Post-mortem meetings//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:REQUEST',
    'BEGIN:VEVENT',
    `UID:${inv.uid}`,
    `SEQUENCE:${inv.sequence}`,
    `DTSTAMP:${utcStamp(inv.stamp)}`,
    `DTSTART:${utcStamp(inv.start)}`,
    `DTEND:${utcStamp(inv.end)}`,
    `SUMMARY:${escapeText(inv.summary)}`,
    `DESCRIPTION:${escapeText(inv.description)}`,
    `URL:${inv.url}`,
    `ORGANIZER;CN=${paramValue(inv.organizer.name)}:mailto:${inv.organizer.email}`,
    ...inv.attendees
      .filter((a) => a.email)
      .map(
        (a) =>
          `ATTENDEE;CN=${paramValue(a.name)};ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:${a.email}`,
      ),
    'STATUS:CONFIRMED',
    'TRANSP:OPAQUE',
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return `${lines.map(foldLine).join('\r\n')}\r\n`;
}

/** The invitation's description: what the meeting is for, the agenda, the link. */
export function invitationDescription(c: {
  incident: Pick<Row<'incidents'>, 'id' | 'title' | 'severity'>;
  agenda: readonly string[];
  note?: string | undefined;
  url: string;
}): string {
  const lines = [
    `Post-mortem meeting for incident ${c.incident.id} (${c.incident.severity}): ${c.incident.title}`,
  ];
  if (c.note) lines.push('', c.note);
  if (c.agenda.length > 0) lines.push('', 'Agenda:', ...c.agenda.map((item, i) => `${i + 1}. ${item}`));
  lines.push('', `Post-mortem: ${c.url}`);
  return lines.join('\n');
}
