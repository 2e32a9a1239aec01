import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, addUser, freshDb, type TestDb } from '../../../test/helpers.ts';
import { VirtualClock } from '../../db/clock.ts';
import { createMetrics } from '../../http/metrics.ts';
import { type App, buildServer } from '../../http/server.ts';
import { makeCtx, SYSTEM_ACTOR } from '../context.ts';
import { bootstrapAdmin } from '../users/bootstrap-admin.ts';
import type { OidcProviderConfig } from './auth.ts';
import { SESSION_COOKIE } from './auth.ts';

// Single sign-on against a real OpenID provider (oidc-provider) on loopback: the code flow with PKCE
// through Tocsin's /auth/oidc routes, a test "browser" following the redirects with a cookie jar,
// and the provider's interaction (login, consent) finished by the test as its user would.

interface Person {
  email: string;
  email_verified: boolean;
  name: string;
  groups: string[];
}

let t: TestDb;
let app: App;
let idp: Server;
let tocsinServer: Server;
let issuer = '';
let base = '';
const clock = new VirtualClock('2026-03-02T10:00:00Z');
const people: Record<string, Person> = {};
/** Who signs in at the provider next (its login page, as the person would type). */
let signingIn = '';

async function listenOn(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function providerConfig(id: string, extra: Partial<OidcProviderConfig> = {}): OidcProviderConfig {
  return {
    id,
    name: `IdP ${id}`,
    issuer,
    client_id: 'tocsin',
    client_secret: 'tocsin-client-secret',
    default_role: 'viewer',
    create_users: true,
    groups_claim: 'groups',
    role_map: { sre: 'manager', 'incident-admins': 'admin' },
    scopes: ['openid', 'email', 'profile', 'groups'],
    ...extra,
  };
}

beforeAll(async () => {
  t = await freshDb();
  await bootstrapAdmin(t.db, clock, ADMIN_TOKEN);
  // Tocsin's address must be known before the provider registers its redirect URIs.
  let tocsinHandler: (req: IncomingMessage, res: ServerResponse) => void = () => {};
  tocsinServer = createServer((req, res) => tocsinHandler(req, res));
  base = `http://127.0.0.1:${await listenOn(tocsinServer)}`;

  let idpHandler: (req: IncomingMessage, res: ServerResponse) => void = () => {};
  idp = createServer((req, res) => idpHandler(req, res));
  issuer = `http://127.0.0.1:${await listenOn(idp)}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'tocsin',
        client_secret: 'tocsin-client-secret',
        redirect_uris: ['test', 'strict'].map((id) => `${base}/auth/oidc/${id}/callback`),
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    claims: { email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
    scopes: ['openid', 'email', 'profile', 'groups'],
    cookies: { keys: ['oidc-test-cookie-key'] },
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600 },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx, sub) {
      const person = people[sub];
      return person ? { accountId: sub, claims: () => ({ sub, ...person }) } : undefined;
    },
  });
  const callback = provider.callback();
  idpHandler = (req, res) => {
    if (!req.url?.startsWith('/interaction/')) return void callback(req, res);
    void (async () => {
      const details = await provider.interactionDetails(req, res);
      if (details.prompt.name === 'login') {
        await provider.interactionFinished(req, res, { login: { accountId: signingIn } });
        return;
      }
      const grant = new provider.Grant({ accountId: details.session?.accountId ?? '', clientId: 'tocsin' });
      grant.addOIDCScope(String(details.params.scope));
      const grantId = await grant.save();
      await provider.interactionFinished(
        req,
        res,
        { consent: { grantId } },
        { mergeWithLastSubmission: true },
      );
    })();
  };

  app = await buildServer({
    db: t.db,
    clock,
    log: pino({ level: 'silent' }),
    metrics: createMetrics(),
    publicUrl: base,
    bodyLimit: 262_144,
    version: 'test',
    console: {
      auth: {
        passwordSignIn: false,
        oidc: [
          providerConfig('test'),
          providerConfig('strict', { create_users: false, role_map: undefined }),
        ],
      },
    },
  });
  await app.ready();
  tocsinHandler = (req, res) => app.routing(req, res);
});
afterAll(async () => {
  await app.close();
  await new Promise((resolve) => tocsinServer.close(resolve));
  await new Promise((resolve) => idp.close(resolve));
  await t.close();
});

/** A browser: follows redirects across Tocsin and the provider, keeping cookies (by name). */
function browser() {
  const jar = new Map<string, string>();
  return {
    jar,
    async go(url: string): Promise<{ status: number; url: string; location?: string; body: string }> {
      let current = url;
      for (let hop = 0; hop < 20; hop++) {
        const res = await fetch(current, {
          redirect: 'manual',
          headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
        });
        for (const set of res.headers.getSetCookie()) {
          const [pair = ''] = set.split(';');
          const at = pair.indexOf('=');
          const name = pair.slice(0, at);
          const value = pair.slice(at + 1);
          if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(set)) jar.delete(name);
          else jar.set(name, value);
        }
        const location = res.headers.get('location');
        // Back at Tocsin after the callback: stop at the redirect into the console.
        if (location && current.includes('/auth/oidc/') && current.includes('/callback')) {
          return { status: res.status, url: current, location, body: await res.text() };
        }
        if (!location) return { status: res.status, url: current, body: await res.text() };
        await res.arrayBuffer();
        current = new URL(location, current).href;
      }
      throw new Error('too many redirects');
    },
    async session() {
      const cookie = jar.get(SESSION_COOKIE);
      const res = await app.inject({
        url: '/api/v1/auth/session',
        headers: { cookie: `${SESSION_COOKIE}=${cookie}` },
      });
      return { status: res.statusCode, body: res.json() };
    },
  };
}

describe('single sign-on with OpenID Connect', () => {
  it('lists the providers, and says passwords are off', async () => {
    const res = await app.inject({ url: '/api/v1/auth/providers' });
    expect(res.json()).toEqual({
      password: false,
      oidc: [
        { id: 'test', name: 'IdP test' },
        { id: 'strict', name: 'IdP strict' },
      ],
    });
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { login: 'admin', password: 'whatever-long' },
    });
    expect(login.statusCode).toBe(403);
    const reset = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/reset',
      payload: { login: 'admin' },
    });
    expect(reset.statusCode).toBe(202);
    expect(await t.db.selectFrom('auth_links').selectAll().execute()).toEqual([]);
  });

  it('creates a new user at first sign-in, with the role their groups map to, and returns to the page', async () => {
    people['sub-almaz'] = {
      email: 'almaz@corp.example',
      email_verified: true,
      name: 'Almaz Bekele',
      groups: ['sre', 'staff'],
    };
    signingIn = 'sub-almaz';
    const b = browser();
    const end = await b.go(`${base}/auth/oidc/test/start?return_to=/incidents/42`);
    expect(end.status).toBe(302);
    expect(end.location).toBe('/incidents/42');
    const session = await b.session();
    expect(session.status).toBe(200);
    expect(session.body.user).toMatchObject({
      handle: 'almaz',
      name: 'Almaz Bekele',
      email: 'almaz@corp.example',
      role: 'manager',
    });
    expect(session.body.csrf_token).toBeTruthy();
    const audit = await t.db
      .selectFrom('audit_log')
      .select(['action', 'actor_name'])
      .where('action', '=', 'user.created')
      .execute();
    expect(audit).toContainEqual({ action: 'user.created', actor_name: 'oidc:test' });
  });

  it('matches an existing user by verified email, then by subject; groups change the role at each sign-in', async () => {
    const ctx = makeCtx({ db: t.db, clock }, SYSTEM_ACTOR);
    const id = await addUser(ctx, 'tsegaye', { role: 'responder', email: 'Tsegaye@Corp.example' });
    people['sub-tsegaye'] = {
      email: 'tsegaye@corp.example',
      email_verified: true,
      name: 'T',
      groups: ['incident-admins'],
    };
    signingIn = 'sub-tsegaye';
    const first = browser();
    expect((await first.go(`${base}/auth/oidc/test/start`)).location).toBe('/');
    expect((await first.session()).body.user).toMatchObject({ id, handle: 'tsegaye', role: 'admin' });
    // The provider changes the address; the subject still finds the same user. No mapped group: role kept.
    people['sub-tsegaye'] = { email: 'ts@corp.example', email_verified: true, name: 'T', groups: ['staff'] };
    const second = browser();
    await second.go(`${base}/auth/oidc/test/start`);
    expect((await second.session()).body.user).toMatchObject({ id, role: 'admin' });
  });

  it('refuses an unverified email, and an unknown person where users are not created', async () => {
    people['sub-eve'] = { email: 'tsegaye@corp.example', email_verified: false, name: 'Eve', groups: [] };
    signingIn = 'sub-eve';
    const eve = await browser().go(`${base}/auth/oidc/test/start`);
    expect(eve.status).toBe(403);
    expect(eve.body).toContain('has not verified the email address');
    people['sub-new'] = { email: 'new@corp.example', email_verified: true, name: 'New', groups: [] };
    signingIn = 'sub-new';
    const b = browser();
    const strict = await b.go(`${base}/auth/oidc/strict/start`);
    expect(strict.status).toBe(403);
    expect(strict.body).toContain('no Tocsin user has the email address new@corp.example');
    expect(b.jar.has(SESSION_COOKIE)).toBe(false);
    expect(
      await t.db.selectFrom('users').select('id').where('email', '=', 'new@corp.example').execute(),
    ).toEqual([]);
  });

  it('refuses a callback this browser did not start, a replayed one, unknown providers and foreign return paths', async () => {
    signingIn = 'sub-almaz';
    const b = browser();
    // Stop at the provider's redirect back, then deliver the callback without the state cookie.
    const start = await app.inject({ url: '/auth/oidc/test/start?return_to=//evil.example/x' });
    expect(start.statusCode).toBe(302);
    const flow = await t.db.selectFrom('oidc_flows').select('return_to').execute();
    expect(flow.map((f) => f.return_to)).toContain('/');
    const stray = await app.inject({ url: '/auth/oidc/test/callback?code=abc&state=forged' });
    expect(stray.statusCode).toBe(401);
    expect(stray.headers['content-type']).toContain('text/html');
    expect(stray.body).toContain('did not start in this browser');
    expect((await app.inject({ url: '/auth/oidc/nope/start' })).statusCode).toBe(404);
    const ok = await b.go(`${base}/auth/oidc/test/start`);
    expect(ok.status).toBe(302);
    // The same callback URL again (a replay) finds no flow.
    const replay = await fetch(ok.url, {
      redirect: 'manual',
      headers: { cookie: `tocsin_oidc=${new URL(ok.url).searchParams.get('state')}` },
    });
    expect(replay.status).toBe(401);
  });
});
