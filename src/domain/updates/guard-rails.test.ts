import { describe, expect, it } from 'vitest';
import { Invalid } from '../../errors.ts';
import { checkText, enforceGuardRails, patternProblem } from './guard-rails.ts';

const rules = (text: string, extra = []) =>
  checkText({ en: text }, extra).map((h) => `${h.rule}: ${h.match}`);

describe('guard rails', () => {
  it('find internal hostnames, IPs, emails, tokens and stack traces', () => {
    expect(rules('db-7.internal and api.svc.cluster.local are slow')).toEqual([
      'internal hostname: db-7.internal',
      'internal hostname: api.svc.cluster.local',
    ]);
    expect(rules('traffic from 10.0.3.17 and fe80::1:2:3')).toEqual([
      'IPv4 address: 10.0.3.17',
      'IPv6 address: fe80::1:2:3',
    ]);
    expect(rules('ask ops@example.com')).toEqual(['email address: ops@example.com']);
    expect(rules('key AKIAABCDEFGHIJKLMNOP leaked')).toEqual(['token: AKIAABCDEFGHIJKLMNOP']);
    expect(rules('Authorization: Bearer abcdefghijklmnopqrstuv')).toEqual([
      'token: Bearer abcdefghijklmnopqrstuv',
    ]);
    expect(rules('TypeError: x is undefined\n    at handler (/srv/app/index.js:12:5)')[0]).toMatch(
      /^stack trace: /,
    );
    expect(rules('Traceback (most recent call last):')).toEqual([
      'stack trace: Traceback (most recent call last)',
    ]);
  });

  it('leave ordinary public text alone, in any script', () => {
    expect(rules('Uploads are slow for some creators since 10:30 UTC. Version 2.4 is rolling back.')).toEqual(
      [],
    );
    expect(checkText({ am: 'ፋይል መጫን አልተሳካም፤ እየሰራንበት ነው።' })).toEqual([]);
  });

  it('add a team’s own patterns, and refuse broken ones', () => {
    expect(rules('see JIRA OPS-1234', [{ name: 'ticket', pattern: '\\bOPS-\\d+\\b' }] as never)).toEqual([
      'ticket: OPS-1234',
    ]);
    expect(patternProblem('(unclosed')).toMatch(/not a regular expression/);
  });

  it('refuse a hit without a reason, naming each at its language; keep the reason otherwise', () => {
    const at = new Date('2026-03-02T10:00:00Z');
    const refused = (() => {
      try {
        enforceGuardRails({ en: 'db-7.internal is down', am: 'ok' }, [], { by: 'abebe', at });
      } catch (e) {
        return e;
      }
    })();
    expect(refused).toBeInstanceOf(Invalid);
    expect((refused as Invalid).details).toEqual([
      { path: 'bodies.en', message: 'internal hostname: "db-7.internal"' },
    ]);
    expect(
      enforceGuardRails({ en: 'db-7.internal' }, [], { reason: 'public name', by: 'abebe', at }),
    ).toMatchObject({
      reason: 'public name',
      by: 'abebe',
      hits: [{ language: 'en', rule: 'internal hostname' }],
    });
    expect(enforceGuardRails({ en: 'all good' }, [], { by: 'abebe', at })).toBeNull();
  });
});
