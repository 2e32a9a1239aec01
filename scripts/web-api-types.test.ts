import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateApiTypes, SCHEMA_FILE } from './web-api-types.ts';

// The console's API types are generated from the server's routes. A route changed without
// regenerating them (`npm run web:api-types`) fails here, before the console drifts from the API.
describe('web console API types', () => {
  it('match the OpenAPI document the server publishes now', async () => {
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    const fresh = await generateApiTypes();
    expect(committed === fresh, 'web/src/api/schema.d.ts is stale: run `npm run web:api-types`').toBe(true);
  });
});
