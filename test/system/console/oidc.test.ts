import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleRig, startConsoleRig } from './harness.ts';

// Single sign-on in the browser: the console's button, a real OpenID provider (oidc-provider) on
// loopback with its own login page, back to the console signed in with the role its groups map to.

let rig: ConsoleRig;
let idp: Server;
let issuer = '';

function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    req.on('end', () => resolve(new URLSearchParams(body)));
    req.on('error', reject);
  });
}

const LOGIN_PAGE = (
  uid: string,
) => `<!doctype html><html lang="en"><head><title>Loopback IdP</title></head><body>
<form method="post" action="/interaction/${uid}/login"><label>Email <input name="login" type="email"></label>
<button type="submit">Continue</button></form></body></html>`;

beforeAll(async () => {
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.writeHead(503).end();
  };
  idp = createServer((req, res) => handler(req, res));
  await new Promise<void>((ok) => idp.listen(0, '127.0.0.1', ok));
  issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
  rig = await startConsoleRig({
    TOCSIN_OIDC_PROVIDERS: JSON.stringify([
      {
        id: 'loopback',
        name: 'Loopback IdP',
        issuer,
        client_id: 'tocsin',
        client_secret: 'tocsin-client-secret',
        default_role: 'viewer',
        create_users: true,
        groups_claim: 'groups',
        role_map: { sre: 'manager' },
        scopes: ['openid', 'email', 'profile', 'groups'],
      },
    ]),
  });
  // Tocsin's links use its public URL (http://localhost:<port> by default): the browser goes there too.
  const publicUrl = `http://localhost:${rig.tocsin.port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'tocsin',
        client_secret: 'tocsin-client-secret',
        redirect_uris: [`${publicUrl}/auth/oidc/loopback/callback`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    claims: { email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
    scopes: ['openid', 'email', 'profile', 'groups'],
    cookies: { keys: ['console-oidc-test-key'] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx, sub) {
      return {
        accountId: sub,
        claims: () => ({ sub, email: sub, email_verified: true, name: 'Amare Tesfaye', groups: ['sre'] }),
      };
    },
  });
  const callback = provider.callback();
  handler = (req, res) => {
    if (!req.url?.startsWith('/interaction/')) return void callback(req, res);
    void (async () => {
      const details = await provider.interactionDetails(req, res);
      if (details.prompt.name === 'login') {
        if (req.method === 'GET') {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(LOGIN_PAGE(details.uid));
          return;
        }
        const form = await readForm(req);
        await provider.interactionFinished(req, res, { login: { accountId: form.get('login') ?? '' } });
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
});
afterAll(async () => {
  await rig?.stop();
  await new Promise((ok) => idp?.close(ok));
});

describe('single sign-on in the console', () => {
  it('signs in through the loopback OpenID provider and returns to the page asked for', async () => {
    const context = await rig.browser.newContext({ baseURL: `http://localhost:${rig.tocsin.port}` });
    // Generous: a browser, Tocsin and the provider share a busy 2-core machine (a guard, not a measure).
    context.setDefaultTimeout(60_000);
    const page = await context.newPage();
    await page.goto('/oncall');
    await page.getByRole('link', { name: 'Sign in with Loopback IdP' }).click();
    await page.getByLabel('Email').fill('amare@example.com');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'On call', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/oncall');
    await page.goto('/settings');
    await page.getByText('Amare Tesfaye').first().waitFor();
    const users = await rig.api('GET', '/api/v1/users');
    expect(users.json.users).toContainEqual(
      expect.objectContaining({ email: 'amare@example.com', role: 'manager' }),
    );
    await context.close();
  });
});
