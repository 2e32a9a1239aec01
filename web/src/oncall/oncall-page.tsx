import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useMemo, useState } from 'react';
import { overrideInputSchema } from '../../../src/domain/schedules/override-input.ts';
import { answer, api, raw } from '../api/client';
import type { EscalationPolicy, OnCallNow, Override, Schedule, Shift } from '../api/models';
import { useUsers } from '../api/shared-queries';
import { checked } from '../api/validate';
import { useCan, useUser, useViewerZone } from '../auth/session';
import { Copyable } from '../ui/copy';
import { ErrorNote, Field, fieldError, TextField } from '../ui/field';
import { TableWrap } from '../ui/table-wrap';
import { formatAt } from '../ui/time';
import { dayStarts } from './days';
import { LayerRows, type TimelineRow } from './layer-rows';
import { ShiftGrid } from './shift-grid';

/** Who is on call now and next, a schedule's shifts, overrides, escalation policies, my shifts. */
export default function OnCallPage() {
  const now = useQuery({
    queryKey: ['oncall'],
    queryFn: () => answer<{ on_call: OnCallNow[] }>(api.GET('/api/v1/oncall')).then((a) => a.on_call),
  });
  const schedules = useQuery({
    queryKey: ['schedules'],
    queryFn: () => answer<{ schedules: Schedule[] }>(api.GET('/api/v1/schedules')).then((a) => a.schedules),
  });
  const [chosen, setChosen] = useState('');
  const [fromDay, setFromDay] = useState('');
  const schedule = schedules.data?.find((s) => s.name === chosen) ?? schedules.data?.[0];
  return (
    <section aria-labelledby="oncall-title">
      <h1 id="oncall-title">On call</h1>
      <ErrorNote error={now.error ?? schedules.error} />
      <section className="cards" aria-label="On call now">
        {(now.data ?? []).map((entry) => (
          <NowCard key={entry.schedule} entry={entry} />
        ))}
      </section>
      {schedules.data && schedules.data.length > 0 && schedule && (
        <>
          <label className="field" style={{ maxWidth: '20rem' }}>
            Schedule
            <select aria-label="Schedule" value={schedule.name} onChange={(e) => setChosen(e.target.value)}>
              {schedules.data.map((s) => (
                <option key={s.name}>{s.name}</option>
              ))}
            </select>
          </label>
          <ScheduleTimeline schedule={schedule} fromDay={fromDay} setFromDay={setFromDay} />
          <Overrides schedule={schedule} fromDay={fromDay} />
        </>
      )}
      <Policies />
      <MyShifts schedules={schedules.data ?? []} />
    </section>
  );
}

interface ShiftList {
  shifts: Shift[];
  layers: { name: string; shifts: { start: string; end: string; user: string }[] }[];
}

/** A schedule's final shifts over [from, to) (with each layer's own, for the rows). */
function useShiftList(name: string, from: Date, to: Date) {
  return useQuery({
    queryKey: ['shifts', name, from.toISOString(), to.toISOString()],
    queryFn: () =>
      answer<ShiftList>(
        api.GET('/api/v1/schedules/{name}/shifts', {
          params: { path: { name }, query: { from: from.toISOString(), to: to.toISOString() } },
        }),
      ),
  });
}

function useShifts(name: string, from: Date, to: Date) {
  const list = useShiftList(name, from, to);
  return { ...list, data: list.data?.shifts };
}

function useOverridesIn(name: string, from: Date, to: Date) {
  return useQuery({
    queryKey: ['overrides', name, from.toISOString(), to.toISOString()],
    queryFn: () =>
      answer<{ overrides: Override[] }>(
        api.GET('/api/v1/schedules/{name}/overrides', {
          params: { path: { name }, query: { from: from.toISOString(), to: to.toISOString() } },
        }),
      ).then((a) => a.overrides),
  });
}

/** Rows of the layer timeline: each layer, the overrides, then the final shifts (who is paged). */
function timelineRows(list: ShiftList | undefined, overrides: Override[] | undefined): TimelineRow[] {
  return [
    ...(list?.layers ?? []).map((l) => ({
      label: `Layer ${l.name}`,
      bars: l.shifts.map((s) => ({ start: s.start, end: s.end, who: s.user })),
    })),
    {
      label: 'Overrides',
      bars: (overrides ?? []).map((o) => ({
        start: o.start,
        end: o.end,
        who: o.replaces ? `${o.user} for ${o.replaces}` : o.user,
        override: true,
      })),
    },
    {
      label: 'Final',
      bars: (list?.shifts ?? []).map((s) => ({
        start: s.start,
        end: s.end,
        who: s.users.join(', ') || 'nobody',
        override: s.override,
      })),
    },
  ];
}

function NowCard({ entry }: { entry: OnCallNow }) {
  const zone = useViewerZone();
  const end = entry.shift ? new Date(entry.shift.end) : new Date();
  const next = useShifts(entry.schedule, end, new Date(end.getTime() + 14 * 86_400_000));
  const following = next.data?.find((s) => s.users.join() !== entry.users.join());
  return (
    <div className="card" data-schedule={entry.schedule}>
      <h2>{entry.schedule}</h2>
      <p>
        <strong data-testid="oncall-now">{entry.users.join(', ') || 'nobody'}</strong>
        {entry.shift && <span className="muted small"> until {formatAt(entry.shift.end, zone)}</span>}
      </p>
      <p className="small">
        Next:{' '}
        {following
          ? `${following.users.join(', ') || 'nobody'} from ${formatAt(following.start, zone)}`
          : '—'}
      </p>
      <p className="muted small">Schedule time zone: {entry.time_zone}</p>
    </div>
  );
}

function ScheduleTimeline({
  schedule,
  fromDay,
  setFromDay,
}: {
  schedule: Schedule;
  fromDay: string;
  setFromDay: (day: string) => void;
}) {
  const zone = useViewerZone();
  const [span, setSpan] = useState<'week' | 'month'>('week');
  const days = useMemo(
    () => dayStarts(fromDay ? new Date(`${fromDay}T12:00:00Z`) : new Date(), zone, span === 'week' ? 7 : 28),
    [zone, span, fromDay],
  );
  const from = days[0] ?? new Date();
  const to = new Date((days[days.length - 1] ?? from).getTime() + 86_400_000);
  const list = useShiftList(schedule.name, from, to);
  const shifts = { data: list.data?.shifts };
  const overrides = useOverridesIn(schedule.name, from, to);
  const scheduleMarks = useMemo(
    () =>
      dayStarts(new Date(from.getTime() - 86_400_000), schedule.time_zone, days.length + 2).filter(
        (d) => d.getTime() >= from.getTime() && d.getTime() <= to.getTime(),
      ),
    [from, to, days.length, schedule.time_zone],
  );
  return (
    <section aria-labelledby="timeline-title">
      <h2 id="timeline-title">
        {schedule.name}: shifts in your time zone ({zone}), schedule's ({schedule.time_zone}) beside
      </h2>
      <label className="field" style={{ maxWidth: '14rem' }}>
        From day
        <input type="date" value={fromDay} onChange={(e) => setFromDay(e.target.value)} />
      </label>
      <fieldset className="row">
        <legend className="visually-hidden">Span</legend>
        <button
          type="button"
          className="button small"
          aria-pressed={span === 'week'}
          onClick={() => setSpan('week')}
        >
          Week
        </button>
        <button
          type="button"
          className="button small"
          aria-pressed={span === 'month'}
          onClick={() => setSpan('month')}
        >
          Month
        </button>
      </fieldset>
      <ShiftGrid
        days={days}
        dayAfter={to}
        shifts={shifts.data ?? []}
        zone={zone}
        label={`${span === 'week' ? 'Week' : 'Four weeks'} of ${schedule.name} in ${zone}`}
      />
      <LayerRows
        rows={timelineRows(list.data, overrides.data)}
        from={from}
        to={to}
        zone={zone}
        scheduleZone={schedule.time_zone}
        viewerMarks={days}
        scheduleMarks={scheduleMarks}
        label={`Layers and overrides of ${schedule.name}`}
      />
      <TableWrap label="Shifts">
        <table aria-label={`Shifts of ${schedule.name}`}>
          <thead>
            <tr>
              <th scope="col">Who</th>
              <th scope="col">From (yours)</th>
              <th scope="col">To (yours)</th>
              <th scope="col">Schedule's time</th>
              <th scope="col">Layer</th>
            </tr>
          </thead>
          <tbody>
            {(shifts.data ?? []).map((s) => (
              <tr key={`${s.start}-${s.users.join()}`} className={s.override ? 'override' : ''}>
                <td>{s.users.join(', ') || 'nobody'}</td>
                <td>{formatAt(s.start, zone, true)}</td>
                <td>{formatAt(s.end, zone, true)}</td>
                <td className="muted">
                  {formatAt(s.start, schedule.time_zone, true)} → {formatAt(s.end, schedule.time_zone, true)}
                </td>
                <td>{s.override ? 'override' : (s.layer ?? '')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
    </section>
  );
}

function Overrides({ schedule, fromDay }: { schedule: Schedule; fromDay: string }) {
  const zone = useViewerZone();
  // From the first day shown, 90 days on (the longest range the API answers).
  const from = useMemo(
    () => dayStarts(fromDay ? new Date(`${fromDay}T12:00:00Z`) : new Date(), zone, 1)[0] ?? new Date(),
    [fromDay, zone],
  );
  const to = new Date(from.getTime() + 90 * 86_400_000);
  const canOverride = useCan('override:write');
  const client = useQueryClient();
  const overrides = useQuery({
    queryKey: ['overrides', schedule.name, from.toISOString()],
    queryFn: () =>
      answer<{ overrides: Override[] }>(
        api.GET('/api/v1/schedules/{name}/overrides', {
          params: {
            path: { name: schedule.name },
            query: { from: from.toISOString(), to: to.toISOString() },
          },
        }),
      ).then((a) => a.overrides),
  });
  const users = useUsers();
  const [user, setUser] = useState('');
  const [replaces, setReplaces] = useState('');
  const [start, setStart] = useState('');
  const [end, setEnd] = useState('');
  const create = useMutation({
    mutationFn: (body: { start: string; end: string; user: string; replaces?: string }) =>
      answer(
        api.POST('/api/v1/schedules/{name}/overrides', {
          params: { path: { name: schedule.name } },
          body: checked(overrideInputSchema, body),
        }),
      ),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['overrides'] });
      void client.invalidateQueries({ queryKey: ['shifts'] });
      void client.invalidateQueries({ queryKey: ['oncall'] });
    },
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    // datetime-local has no zone: it is read in the browser's zone, as the user typed it.
    create.mutate({
      user,
      start: start ? new Date(start).toISOString() : '',
      end: end ? new Date(end).toISOString() : '',
      ...(replaces ? { replaces } : {}),
    });
  }
  return (
    <section aria-labelledby="overrides-title">
      <h2 id="overrides-title">Overrides of {schedule.name}</h2>
      {(overrides.data ?? []).length === 0 ? (
        <p className="muted">No overrides.</p>
      ) : (
        <ul className="plain">
          {(overrides.data ?? []).map((o) => (
            <li key={o.id}>
              {o.user}
              {o.replaces ? ` instead of ${o.replaces}` : ' instead of everyone'}: {formatAt(o.start, zone)} →{' '}
              {formatAt(o.end, zone)}
            </li>
          ))}
        </ul>
      )}
      {canOverride && (
        <form className="inline-form" onSubmit={submit} aria-label="Create an override">
          <Field label="Who takes over" error={fieldError(create.error, 'user')}>
            {(p) => (
              <select {...p} required value={user} onChange={(e) => setUser(e.target.value)}>
                <option value="">Choose…</option>
                {(users.data ?? []).map((u) => (
                  <option key={u.handle} value={u.handle}>
                    {u.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Hand over from (optional)" error={fieldError(create.error, 'replaces')}>
            {(p) => (
              <select {...p} value={replaces} onChange={(e) => setReplaces(e.target.value)}>
                <option value="">Everyone on the schedule</option>
                {(users.data ?? []).map((u) => (
                  <option key={u.handle} value={u.handle}>
                    {u.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <TextField
            label="Start"
            error={fieldError(create.error, 'start')}
            type="datetime-local"
            required
            value={start}
            onChange={setStart}
          />
          <TextField
            label="End"
            error={fieldError(create.error, 'end')}
            type="datetime-local"
            required
            value={end}
            onChange={setEnd}
          />
          <button type="submit" className="button" disabled={create.isPending}>
            Create override
          </button>
          <ErrorNote error={create.error} shownFields={['user', 'replaces', 'start', 'end']} />
        </form>
      )}
    </section>
  );
}

function Policies() {
  const policies = useQuery({
    queryKey: ['escalation-policies'],
    queryFn: () =>
      answer<{ policies: EscalationPolicy[] }>(api.GET('/api/v1/escalation-policies')).then(
        (a) => a.policies,
      ),
  });
  return (
    <section aria-labelledby="policies-title">
      <h2 id="policies-title">Escalation policies</h2>
      {(policies.data ?? []).map((p) => (
        <div key={p.name} className="card">
          <h3>{p.name}</h3>
          {p.description && <p className="muted small">{p.description}</p>}
          <ol className="steps">
            {p.steps.map((s, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: steps have no id; their order is their identity
              <li key={i}>
                {[
                  ...s.schedules.map((x) => `on call in ${x}`),
                  ...s.users,
                  ...s.teams.map((t) => `team ${t}`),
                ].join(', ')}
                <span className="muted small"> · then after {s.escalateAfter}</span>
              </li>
            ))}
          </ol>
          {p.repeat > 0 && <p className="small">Repeats {p.repeat} more time(s).</p>}
        </div>
      ))}
    </section>
  );
}

function MyShifts({ schedules }: { schedules: Schedule[] }) {
  const user = useUser();
  const zone = useViewerZone();
  const handle = user.handle ?? user.name;
  const from = useMemo(() => new Date(), []);
  const to = useMemo(() => new Date(from.getTime() + 28 * 86_400_000), [from]);
  const all = useQuery({
    queryKey: ['shifts', 'mine', handle, schedules.map((s) => s.name).join()],
    queryFn: async () => {
      const lists = await Promise.all(
        schedules.map((s) =>
          answer<{ shifts: Shift[] }>(
            api.GET('/api/v1/schedules/{name}/shifts', {
              params: { path: { name: s.name }, query: { from: from.toISOString(), to: to.toISOString() } },
            }),
          ).then((a) =>
            a.shifts.filter((x) => x.users.includes(handle)).map((x) => ({ ...x, schedule: s.name })),
          ),
        ),
      );
      return lists.flat().sort((a, b) => a.start.localeCompare(b.start));
    },
    enabled: schedules.length > 0,
  });
  return (
    <section aria-labelledby="mine-title">
      <h2 id="mine-title">My shifts (next 4 weeks)</h2>
      {(all.data ?? []).length === 0 ? (
        <p className="muted">No shifts.</p>
      ) : (
        <ul className="plain">
          {(all.data ?? []).map((s) => (
            <li key={`${s.schedule}-${s.start}`}>
              {s.schedule}: {formatAt(s.start, zone)} → {formatAt(s.end, zone)}
            </li>
          ))}
        </ul>
      )}
      <CalendarFeed handle={handle} />
    </section>
  );
}

interface FeedToken {
  user_feed_url: string;
}

/**
 * My shifts as a calendar feed: a new feed token (shown once, replacing the previous one) gives a
 * link to copy into any calendar app, or to subscribe to directly (webcal:).
 */
function CalendarFeed({ handle }: { handle: string }) {
  const create = useMutation({
    mutationFn: () =>
      raw<{ feed_token: FeedToken }>('POST', `/api/v1/users/${encodeURIComponent(handle)}/feed-token`).then(
        (a) => a.feed_token,
      ),
  });
  const url = create.data?.user_feed_url;
  return (
    <div className="small">
      <p>
        Calendar feed of my shifts{' '}
        <button
          type="button"
          className="button small"
          onClick={() => create.mutate()}
          disabled={create.isPending}
        >
          {url ? 'Make a new calendar link' : 'Get a calendar link'}
        </button>
      </p>
      {url && (
        <>
          <Copyable label="Calendar link" value={url} />
          <p>
            <a href={url.replace(/^https?:/, 'webcal:')}>Subscribe in my calendar app</a>{' '}
            <span className="muted">(a new link stops the previous one)</span>
          </p>
        </>
      )}
      <ErrorNote error={create.error} />
    </div>
  );
}
