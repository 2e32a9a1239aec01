import type { TestProject } from 'vitest/node';
import { startPostgres15 } from '../../scripts/lib/pg15.ts';
import { prepareTemplate } from '../global-setup.ts';

// System tests run against Debian's PostgreSQL 15 as an external server: the integration suite
// (src/**/*.test.ts) again, plus test/system/* which start real Tocsin processes on it.
export default async function setup(project: TestProject) {
  const pg = await startPostgres15();
  await prepareTemplate(pg.url);
  project.provide('pgAdminUrl', pg.url);
  return () => pg.stop();
}
