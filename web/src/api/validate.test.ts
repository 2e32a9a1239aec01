import { describe, expect, it } from 'vitest';
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
});
