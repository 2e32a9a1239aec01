import { describe, expect, it } from 'vitest';
import { createActionItemSchema } from '../../../src/domain/action-items/action-items.ts';
import {
  contactMethodInputSchema,
  notificationRulesInputSchema,
} from '../../../src/domain/contacts/contact-input.ts';
import { drillBodySchema } from '../../../src/domain/drills/inputs.ts';
import { declareIncidentSchema, publishUpdateBodySchema } from '../../../src/domain/incidents/inputs.ts';
import { suppressionInputSchema } from '../../../src/domain/maintenance/maintenance.ts';
import { pageInputSchema } from '../../../src/domain/paging/page-input.ts';
import { postmortemMoveSchema } from '../../../src/domain/postmortems/postmortem.ts';
import { overrideInputSchema } from '../../../src/domain/schedules/override-input.ts';
import { componentInputSchema, maintenanceInputSchema } from '../../../src/domain/status-page/inputs.ts';
import { teamInputSchema, userInputSchema } from '../../../src/domain/users/inputs.ts';
import { profilePatchSchema } from '../../../src/domain/users/profile.ts';
import { tokenInputSchema } from '../../../src/domain/users/tokens.ts';
import { ApiError } from './client';
import { checked, lazyChecks } from './validate';

describe('checked', () => {
  it('passes a valid body through unchanged', () => {
    const body = { name: 'Meron', time_zone: 'Africa/Addis_Ababa' };
    expect(checked(profilePatchSchema, body)).toBe(body);
  });

  it("refuses as the API would, with each field's message at its path", () => {
    let error: unknown;
    try {
      checked(profilePatchSchema, { name: '  ', time_zone: '', role: 'admin' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ApiError);
    const refused = error as ApiError;
    expect(refused.status).toBe(400);
    expect(refused.field('name')).toBe('a name is required');
    expect(refused.field('time_zone')).toBe('a time zone is required');
    expect(refused.field('role')).toBe('unknown field');
  });

  it('checks the declare and contact forms with the API schemas (address rules included)', () => {
    const refusal = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e as ApiError;
      }
      throw new Error('not refused');
    };
    expect(
      refusal(() => checked(declareIncidentSchema, { title: '   ', plan: 'p' })).field('title'),
    ).toBeTruthy();
    expect(
      checked(declareIncidentSchema, { title: 'Checkout down', plan: 'p', severity: 'SEV1' }),
    ).toBeTruthy();
    const sms = refusal(() => checked(contactMethodInputSchema, { kind: 'sms', address: '0911' }));
    expect(sms.field('address')).toContain('E.164');
    expect(checked(contactMethodInputSchema, { kind: 'sms', address: '+251911234567' })).toBeTruthy();
  });

  it('checks the rules, override, page and token forms with the API schemas, each message at its field', () => {
    const refusal = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e as ApiError;
      }
      throw new Error('not refused');
    };
    const rules = refusal(() =>
      checked(notificationRulesInputSchema, {
        rules: [{ contact_method_id: '1', after: 'soon' }],
        quiet_hours: { start: '25:00', end: '07:00' },
      }),
    );
    expect(rules.field('rules.0.after')).toContain('not a duration');
    expect(rules.field('quiet_hours.start')).toBe('a time of day like 22:00');
    const override = refusal(() =>
      checked(overrideInputSchema, {
        user: 'jordan',
        start: '2027-04-05T18:00:00Z',
        end: '2027-04-05T08:00:00Z',
      }),
    );
    expect(override.field('end')).toBe('must be after start');
    expect(
      refusal(() => checked(pageInputSchema, { target: 'hanna', message: 'join' })).field('target'),
    ).toContain('user:<handle>');
    expect(
      refusal(() => checked(tokenInputSchema, { name: 'bot', expires_in: 'soon' })).field('expires_in'),
    ).toBe('a duration such as 30d or 12h');
  });

  it('checks the silence, drill, update, status page, post-mortem, action item, user and team forms', () => {
    const refusal = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e as ApiError;
      }
      throw new Error('not refused');
    };
    expect(
      refusal(() => checked(suppressionInputSchema, { service: 'web', duration: 'soon', comment: 'x' }))
        .details,
    ).not.toHaveLength(0);
    expect(
      checked(suppressionInputSchema, { service: 'web', duration: '1h', comment: 'deploy' }),
    ).toBeTruthy();
    expect(refusal(() => checked(drillBodySchema, { severity: '' })).field('severity')).toBeTruthy();
    expect(
      refusal(() => checked(publishUpdateBodySchema, { audience: 'everyone', bodies: { en: 'x' } })).field(
        'audience',
      ),
    ).toBeTruthy();
    expect(
      refusal(() => checked(componentInputSchema, { name: '', group: null })).field('name'),
    ).toBeTruthy();
    expect(
      refusal(() => checked(maintenanceInputSchema, { name: '', components: [] })).details,
    ).not.toHaveLength(0);
    expect(refusal(() => checked(postmortemMoveSchema, { to: 'done' })).field('to')).toBeTruthy();
    expect(
      refusal(() => checked(createActionItemSchema, { incident_id: '1', title: '  ' })).field('title'),
    ).toBeTruthy();
    expect(
      refusal(() => checked(userInputSchema, { handle: 'Not A Handle', name: 'x', role: 'owner' })).field(
        'role',
      ),
    ).toBeTruthy();
    expect(refusal(() => checked(teamInputSchema, { name: 'has space' })).field('name')).toBeTruthy();
  });
});

describe('lazyChecks', () => {
  function deferred<T>() {
    let resolve!: (value: T) => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  }

  it('loads nothing until asked, loads once, and a check made while loading waits for the schemas', async () => {
    const load = deferred<{ pageInputSchema: typeof pageInputSchema }>();
    let loads = 0;
    const checks = lazyChecks(() => {
      loads += 1;
      return load.promise;
    });
    expect(loads).toBe(0);
    checks.preload();
    const valid = checks.check('pageInputSchema', { target: 'user:meron', message: 'join' });
    const invalid = checks.check('pageInputSchema', { target: '', message: 'join' });
    expect(loads).toBe(1);
    load.resolve({ pageInputSchema });
    await expect(valid).resolves.toEqual({ target: 'user:meron', message: 'join' });
    const refused = await invalid.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).field('target')).toBeTruthy();
    expect(loads).toBe(1);
  });

  it('retries a failed load on the next check; a failed preload throws nothing', async () => {
    let loads = 0;
    const checks = lazyChecks(async () => {
      loads += 1;
      if (loads === 1) throw new Error('chunk failed');
      return { pageInputSchema };
    });
    checks.preload();
    await expect(checks.check('pageInputSchema', { target: 'x', message: 'y' })).rejects.toThrow(
      'chunk failed',
    );
    await expect(checks.check('pageInputSchema', { target: 'user:a', message: 'y' })).resolves.toBeTruthy();
    expect(loads).toBe(2);
  });
});
