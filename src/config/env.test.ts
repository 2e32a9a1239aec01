import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, describeEnv, loadEnv } from './env.ts';

describe('environment', () => {
  it('applies defaults', () => {
    const env = loadEnv({});
    expect(env.TOCSIN_PORT).toBe(8080);
    expect(env.TOCSIN_HOST).toBe('0.0.0.0');
    expect(env.TOCSIN_DATA_DIR).toBe('./data');
  });

  it('names the variable in one line when a value is bad', () => {
    expect(() => loadEnv({ TOCSIN_PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadEnv({ TOCSIN_PORT: 'eighty' })).toThrow(
      /^invalid environment variable TOCSIN_PORT="eighty": /,
    );
    expect(() => loadEnv({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(() => loadEnv({ TOCSIN_ADMIN_TOKEN: 'short' })).toThrow(/TOCSIN_ADMIN_TOKEN/);
  });

  it('does not echo secrets into the error', () => {
    expect(() => loadEnv({ TOCSIN_ADMIN_TOKEN: 'short' })).toThrow(
      /^invalid environment variable TOCSIN_ADMIN_TOKEN=\(value hidden\): /,
    );
    expect(() => loadEnv({ DATABASE_URL: 'mysql://u:pw@h/db' })).not.toThrow(/pw/);
  });

  it('is documented in the README, every variable', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const v of describeEnv()) expect(readme, v.name).toContain(`\`${v.name}\``);
  });
});
