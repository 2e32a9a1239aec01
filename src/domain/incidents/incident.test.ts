import { describe, expect, it } from 'vitest';
import { Conflict } from '../../errors.ts';
import { lifecycleOf, type Plan } from '../plans/plan.ts';
import {
  assertOpen,
  canChangeHypothesis,
  changedFields,
  channelName,
  chatSafe,
  isId,
  mergePatch,
  missingLanguages,
  renderLinks,
  slugify,
} from './incident.ts';

const declaredAt = new Date('2026-11-23T23:59:59Z');

describe('slugs and channel names', () => {
  it('slugifies titles to lowercase ASCII words', () => {
    expect(slugify('Payment Outage')).toBe('payment-outage');
    expect(slugify('  Café déjà vu!! (EU) ')).toBe('cafe-deja-vu-eu');
    expect(slugify('የክፍያ መቋረጥ')).toBe('incident');
    expect(slugify('x'.repeat(200))).toHaveLength(50);
  });

  it('fills the plan pattern with the UTC date, slug, id and severity', () => {
    const facts = { id: '42', title: 'Payment Outage', severity: 'SEV1', declaredAt };
    expect(channelName('incident-{date}-{slug}', facts)).toBe('incident-2026-11-23-payment-outage');
    expect(channelName('inc-{id}-{severity}', facts)).toBe('inc-42-sev1');
    expect(channelName(undefined, facts)).toBe('incident-42-payment-outage');
  });

  it('keeps channel names chat-safe: lowercase, no spaces, at most 80 characters', () => {
    expect(chatSafe('#Incident  Room / EU')).toBe('incident-room-eu');
    const long = channelName('{slug}-{slug}-{slug}', {
      id: '1',
      title: 'a'.repeat(60),
      severity: 'S',
      declaredAt,
    });
    expect(long.length).toBeLessThanOrEqual(80);
    expect(long).toMatch(/^[a-z0-9_-]+$/);
    expect(long.endsWith('-')).toBe(false);
    expect(chatSafe('!!!')).toBe('incident');
  });
});

describe('link templates', () => {
  it('URL-encodes the incident values and leaves unknown placeholders visible', () => {
    const links = renderLinks(
      {
        traces: 'https://tempo.example.com/search?q={correlation_id}&svc={service}',
        odd: 'https://x.example.com/{nope}/{id}',
      },
      {
        id: '7',
        correlation_id: 'inc-7 a&b',
        service: 'pay/api',
        severity: 'P1',
        declared_at: declaredAt,
      },
    );
    expect(links.traces).toBe('https://tempo.example.com/search?q=inc-7%20a%26b&svc=pay%2Fapi');
    expect(links.odd).toBe('https://x.example.com/{nope}/7');
  });

  it('fills only placeholders the table allows in links', () => {
    const links = renderLinks(
      { x: '{a}{title}{toString}{constructor}{id}' },
      { id: '7', correlation_id: 'c', service: null, severity: 'P1', declared_at: declaredAt },
    );
    expect(links.x).toBe('{a}{title}{toString}{constructor}7');
  });
});

describe('state and hypothesis rules', () => {
  const plan = {
    lifecycle: { states: [{ id: 'investigating' }, { id: 'resolved' }] },
  } as unknown as Plan;
  const lifecycle = lifecycleOf(plan);

  it('refuses changes to a resolved incident with a conflict', () => {
    expect(() => assertOpen({ id: '1', state: 'investigating' }, lifecycle, 'x')).not.toThrow();
    expect(() => assertOpen({ id: '1', state: 'resolved' }, lifecycle, 'triage it')).toThrow(Conflict);
  });

  it('lets a proposed hypothesis be decided once', () => {
    expect(canChangeHypothesis('proposed', 'confirmed')).toBe(true);
    expect(canChangeHypothesis('proposed', 'rejected')).toBe(true);
    expect(canChangeHypothesis('confirmed', 'confirmed')).toBe(true);
    expect(canChangeHypothesis('confirmed', 'rejected')).toBe(false);
    expect(canChangeHypothesis('rejected', 'proposed')).toBe(false);
  });
});

describe('small helpers', () => {
  it('lists the languages an update lacks', () => {
    expect(missingLanguages(['en', 'am'], { en: 'hi', am: '  ' })).toEqual(['am']);
    expect(missingLanguages(['en'], { en: 'hi' })).toEqual([]);
  });

  it('merges maps with null as removal', () => {
    expect(mergePatch({ a: '1', b: '2' }, { b: null, c: '3' })).toEqual({ a: '1', c: '3' });
  });

  it('finds changed fields, ignoring key order and undefined', () => {
    expect(
      changedFields({ a: 1, m: { x: 1, y: 2 }, s: 'q' }, { a: 1, m: { y: 2, x: 1 }, s: undefined }),
    ).toEqual([]);
    expect(changedFields({ a: 1, b: null }, { a: 2, b: 'x' })).toEqual(['a', 'b']);
  });

  it('accepts only positive integer ids', () => {
    expect(isId('12')).toBe(true);
    for (const bad of ['0', '-1', '1.5', 'abc', '1e3', '', '9'.repeat(19)]) expect(isId(bad)).toBe(false);
  });
});
