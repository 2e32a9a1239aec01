import { describe, expect, it } from 'vitest';
import { contactMethodInputSchema } from '../../../src/domain/contacts/contact-input.ts';
import { declareIncidentSchema } from '../../../src/domain/incidents/inputs.ts';
import { profilePatchSchema } from '../../../src/domain/users/profile.ts';
import { ApiError } from './client';
import { checked } from './validate';

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
});
