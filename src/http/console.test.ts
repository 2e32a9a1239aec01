import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, auth, freshDb, type TestDb } from '../../test/helpers.ts';
import { VirtualClock } from '../db/clock.ts';
import { bootstrapAdmin } from '../domain/users/bootstrap-admin.ts';
import { createMetrics } from './metrics.ts';
import { type App, buildServer } from './server.ts';

// Serving the built console: a small dist made here stands in for console-web's build (same layout
// as Vite's: index.html and content-hashed files under assets/).

let t: TestDb;
let dist: string;
let built: App;
let missing: App;
const INDEX =
  '<!doctype html><html><head><script type="module" src="/assets/app-3f9a1c.js"></script></head><body><div id="root"></div></body></html>';

async function server(webDir: string): Promise<App> {
  return buildServer({
    db: t.db,
    clock: new VirtualClock('2026-03-02T10:00:00Z'),
    log: pino({ level: 'silent' }),
    metrics: createMetrics(),
    publicUrl: 'http://tocsin.test',
    bodyLimit: 262_144,
    version: 'test',
    console: { webDir },
  });
}

beforeAll(async () => {
  t = await freshDb();
  await bootstrapAdmin(t.db, new VirtualClock('2026-03-02T10:00:00Z'), ADMIN_TOKEN);
  dist = mkdtempSync(join(tmpdir(), 'tocsin-web-'));
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), INDEX);
  writeFileSync(join(dist, 'assets', 'app-3f9a1c.js'), 'console.log("tocsin")');
  writeFileSync(join(dist, 'assets', 'app-3f9a1c.js.gz'), gzipSync('console.log("tocsin")'));
  writeFileSync(join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  built = await server(dist);
  missing = await server(join(dist, 'not-there'));
});
afterAll(async () => {
  await built.close();
  await missing.close();
  await t.close();
  rmSync(dist, { recursive: true, force: true });
});

describe('the web console at /', () => {
  it('serves index.html at / and for console routes, revalidated on every load', async () => {
    for (const url of [
      '/',
      '/incidents/42',
      '/oncall',
      '/settings/tokens?x=1',
      '/auth/accept?token=abc',
      '/auth/first?token=abc',
    ]) {
      const res = await built.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type'], url).toContain('text/html');
      expect(res.headers['cache-control'], url).toBe('no-cache');
      expect(res.body, url).toBe(INDEX);
    }
  });

  it('serves hashed assets cached for a year, other files revalidated', async () => {
    const js = await built.inject({ url: '/assets/app-3f9a1c.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toContain('javascript');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.headers.etag).toBeTruthy();
    const again = await built.inject({
      url: '/assets/app-3f9a1c.js',
      headers: { 'if-none-match': String(js.headers.etag) },
    });
    expect(again.statusCode).toBe(304);
    const icon = await built.inject({ url: '/favicon.svg' });
    expect(icon.headers['content-type']).toContain('image/svg+xml');
    expect(icon.headers['cache-control']).toBe('no-cache');
  });

  it("sends the build's compressed copy to a browser that accepts it", async () => {
    const gz = await built.inject({
      url: '/assets/app-3f9a1c.js',
      headers: { 'accept-encoding': 'br, gzip' },
    });
    expect(gz.statusCode).toBe(200);
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers['content-type']).toContain('javascript');
    expect(gz.headers.vary).toContain('accept-encoding');
    expect(gunzipSync(gz.rawPayload).toString()).toBe('console.log("tocsin")');
    const plain = await built.inject({
      url: '/assets/app-3f9a1c.js',
      headers: { 'accept-encoding': 'identity' },
    });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe('console.log("tocsin")');
  });

  it('never answers a missing file, a path outside the build or a server path with the page', async () => {
    expect((await built.inject({ url: '/assets/gone-000000.js' })).statusCode).toBe(404);
    expect((await built.inject({ url: '/%2e%2e/%2e%2e/package.json' })).statusCode).toBe(404);
    // A malformed escape is refused by the router itself.
    expect((await built.inject({ url: '/%E0%A4%A' })).statusCode).toBe(400);
    for (const url of [
      '/api/v1/nope',
      '/api',
      '/v2/nope',
      '/status/nope',
      '/ack/nope/x',
      '/auth/oidc',
      '/health/nope',
      '/metrics/x',
    ]) {
      const res = await built.inject({ url, headers: auth(ADMIN_TOKEN) });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error.code, url).toBe('not_found');
    }
  });

  it('leaves the server routes as they were', async () => {
    expect((await built.inject({ url: '/api/v1/users' })).statusCode).toBe(401);
    const users = await built.inject({ url: '/api/v1/users', headers: auth(ADMIN_TOKEN) });
    expect(users.statusCode).toBe(200);
    // The server's own time, for the browser's resource timing (the console bench prints it).
    expect(users.headers['server-timing']).toMatch(/^app;dur=\d+\.\d$/);
    expect((await built.inject({ url: '/health' })).json()).toEqual({ status: 'ok' });
    expect((await built.inject({ url: '/metrics' })).statusCode).toBe(401);
    expect((await built.inject({ url: '/metrics', headers: auth(ADMIN_TOKEN) })).statusCode).toBe(200);
    expect((await built.inject({ url: '/api/docs/' })).statusCode).toBe(200);
    expect((await built.inject({ url: '/api/v1/openapi.json' })).json().openapi).toBe('3.1.0');
    expect((await built.inject({ url: '/auth/oidc/none/start' })).statusCode).toBe(404);
    // Other methods on console paths are not pages.
    expect((await built.inject({ method: 'POST', url: '/incidents/42' })).statusCode).toBe(404);
  });

  it("hints the incident page's chunks, and its API calls to a browser with a session cookie", async () => {
    mkdirSync(join(dist, '.vite'));
    writeFileSync(
      join(dist, '.vite', 'manifest.json'),
      JSON.stringify({
        'index.html': { file: 'assets/app-3f9a1c.js', isEntry: true, imports: [] },
        'src/incidents/incident-page.tsx': {
          file: 'assets/incident-page-1.js',
          isDynamicEntry: true,
          imports: ['index.html', '_time-2.js'],
        },
        '_time-2.js': { file: 'assets/time-2.js', imports: ['index.html'] },
      }),
    );
    try {
      const anonymous = await built.inject({ url: '/incidents/42' });
      expect(anonymous.headers['cache-control']).toBe('no-cache');
      expect(anonymous.body).toContain(
        '<link rel="modulepreload" crossorigin href="/assets/incident-page-1.js">',
      );
      expect(anonymous.body).toContain('href="/assets/time-2.js"');
      expect(anonymous.body).not.toContain('modulepreload crossorigin href="/assets/app-3f9a1c.js"');
      expect(anonymous.body).not.toContain('as="fetch"');
      const signedIn = await built.inject({ url: '/incidents/42', cookies: { tocsin_session: 'whatever' } });
      for (const api of ['/api/v1/auth/session', '/api/v1/incidents/42', '/api/v1/incidents/42/pages']) {
        expect(signedIn.body).toContain(`<link rel="preload" as="fetch" crossorigin href="${api}">`);
      }
      expect(signedIn.headers.vary).toContain('cookie');
      // An id is encoded as the console encodes it, never markup.
      const odd = await built.inject({
        url: '/incidents/%22%3E%3Cscript%3E',
        cookies: { tocsin_session: 'x' },
      });
      expect(odd.body).toContain('href="/api/v1/incidents/%22%3E%3Cscript%3E"');
      expect(odd.body).not.toContain('"><script>');
      // Other pages are the file as built.
      expect((await built.inject({ url: '/oncall', cookies: { tocsin_session: 'x' } })).body).toBe(INDEX);
    } finally {
      rmSync(join(dist, '.vite'), { recursive: true, force: true });
    }
  });

  it('says plainly when the console is not built', async () => {
    const home = await missing.inject({ url: '/' });
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('The web console is not built');
    expect(home.body).toContain('npm run build:web');
    expect(home.body).toContain('First three things to try');
    const deep = await missing.inject({ url: '/incidents/42' });
    expect(deep.statusCode).toBe(404);
    expect(deep.body).toContain('The web console is not built');
  });
});
