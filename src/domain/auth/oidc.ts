import * as client from 'openid-client';
import type { Executor, Row } from '../../db/schema.ts';
import { Forbidden, NotFound, Unauthorized, Unavailable } from '../../errors.ts';
import * as audit from '../audit/queries.ts';
import { type Actor, type Operation, ROLES, type Role } from '../context.ts';
import * as users from '../users/queries.ts';
import { type AuthConfig, hashSecret, type OidcProviderConfig, safeReturnTo } from './auth.ts';
import * as q from './queries.ts';
import { type ClientInfo, type SignedIn, startSession } from './start-session.ts';

// Single sign-on with OpenID Connect (authorization code flow with PKCE, state and nonce) through
// openid-client. Users are matched by the provider's subject after their first sign-in, else by a
// verified email address, else created with the provider's default role; a groups claim mapped to
// roles (role_map) sets the role at each sign-in when one of the user's groups is mapped.

const FLOW_TTL_MS = 10 * 60_000;

export function providerOf(config: AuthConfig, id: string): OidcProviderConfig {
  const provider = config.oidc.find((p) => p.id === id);
  if (!provider) throw new NotFound('sign-in provider', id);
  return provider;
}

export function redirectUri(config: AuthConfig, provider: OidcProviderConfig): string {
  return `${config.publicUrl}/auth/oidc/${provider.id}/callback`;
}

// Discovery documents, fetched once per provider (a failure is forgotten, so the next try refetches).
const discovered = new Map<string, Promise<client.Configuration>>();

function configurationOf(p: OidcProviderConfig): Promise<client.Configuration> {
  const key = JSON.stringify([p.id, p.issuer, p.client_id]);
  let found = discovered.get(key);
  if (!found) {
    // Plain http is accepted (by env.ts) only for a provider on loopback.
    const options = p.issuer.startsWith('http:') ? { execute: [client.allowInsecureRequests] } : undefined;
    found = client.discovery(new URL(p.issuer), p.client_id, p.client_secret, undefined, options);
    discovered.set(key, found);
    found.catch(() => discovered.delete(key));
  }
  return found.catch((error: Error) => {
    throw new Unavailable(`the sign-in provider ${p.name} cannot be reached: ${error.message}`);
  });
}

export interface StartedOidc {
  /** The provider's authorization URL to send the browser to. */
  url: string;
  /** Bound to the browser (a cookie) so the callback cannot complete someone else's sign-in. */
  state: string;
}

export async function startOidcSignIn({
  ctx,
  input,
}: Operation<{ provider: string; returnTo?: string | undefined; config: AuthConfig }>): Promise<StartedOidc> {
  const provider = providerOf(input.config, input.provider);
  const configuration = await configurationOf(provider);
  const state = client.randomState();
  const nonce = client.randomNonce();
  const verifier = client.randomPKCECodeVerifier();
  const now = ctx.clock.now();
  await q.insertOidcFlow(ctx.db, {
    state_hash: hashSecret(state),
    provider: provider.id,
    nonce,
    code_verifier: verifier,
    return_to: safeReturnTo(input.returnTo),
    created_at: now,
    expires_at: new Date(now.getTime() + FLOW_TTL_MS),
  });
  const url = client.buildAuthorizationUrl(configuration, {
    redirect_uri: redirectUri(input.config, provider),
    scope: provider.scopes.join(' '),
    state,
    nonce,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  return { url: url.href, state };
}

export interface OidcCallback extends ClientInfo {
  provider: string;
  /** The callback URL as the browser requested it (public URL + path and query). */
  callbackUrl: URL;
  /** The state this browser started with (its cookie). */
  browserState: string | undefined;
  config: AuthConfig;
}

interface Identity {
  subject: string;
  email: string | undefined;
  emailVerified: boolean | undefined;
  name: string | undefined;
  groups: string[];
}

export async function finishOidcSignIn({
  ctx,
  input,
}: Operation<OidcCallback>): Promise<SignedIn & { returnTo: string }> {
  const provider = providerOf(input.config, input.provider);
  const params = input.callbackUrl.searchParams;
  const refused = params.get('error');
  if (refused) {
    throw new Unauthorized(
      `${provider.name} refused the sign-in: ${params.get('error_description') ?? refused}`,
    );
  }
  const state = params.get('state');
  if (!state || state !== input.browserState) {
    throw new Unauthorized('this sign-in did not start in this browser: start again');
  }
  const now = ctx.clock.now();
  const flow = await q.takeOidcFlow(ctx.db, hashSecret(state), now);
  if (!flow || flow.provider !== provider.id) throw new Unauthorized('this sign-in expired: start again');

  const configuration = await configurationOf(provider);
  const identity = await exchangeCode(configuration, provider, input.callbackUrl, flow);
  return ctx.db.transaction().execute(async (tx) => {
    const user = await userFor(tx, provider, identity, now);
    const signedIn = await startSession(tx, user, `oidc:${provider.id}`, input, input.config, now);
    return { ...signedIn, returnTo: flow.return_to };
  });
}

async function exchangeCode(
  configuration: client.Configuration,
  provider: OidcProviderConfig,
  callbackUrl: URL,
  flow: Row<'oidc_flows'>,
): Promise<Identity> {
  try {
    const tokens = await client.authorizationCodeGrant(configuration, callbackUrl, {
      pkceCodeVerifier: flow.code_verifier,
      expectedState: callbackUrl.searchParams.get('state') ?? '',
      expectedNonce: flow.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    if (!claims) throw new Error('no ID token');
    let source: Record<string, unknown> = claims;
    // Some providers put email and groups only in the userinfo answer.
    if (claims.email === undefined) {
      source = { ...(await client.fetchUserInfo(configuration, tokens.access_token, claims.sub)), ...claims };
    }
    const groups = provider.groups_claim ? source[provider.groups_claim] : undefined;
    return {
      subject: claims.sub,
      email: typeof source.email === 'string' ? source.email : undefined,
      emailVerified: typeof source.email_verified === 'boolean' ? source.email_verified : undefined,
      name: typeof source.name === 'string' ? source.name : undefined,
      groups: Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : [],
    };
  } catch (error) {
    throw new Unauthorized(`sign-in with ${provider.name} failed: ${(error as Error).message}`);
  }
}

/** The highest role the user's groups map to, if any maps. */
export function mappedRole(provider: OidcProviderConfig, groups: string[]): Role | undefined {
  const map = provider.role_map;
  if (!map) return undefined;
  const roles = groups.map((g) => map[g]).filter((r): r is Role => r !== undefined);
  return roles.sort((a, b) => ROLES.indexOf(b) - ROLES.indexOf(a))[0];
}

function providerActor(provider: OidcProviderConfig): Actor {
  return { kind: 'system', userId: null, name: `oidc:${provider.id}`, role: 'admin', leadership: false };
}

async function userFor(
  tx: Executor,
  provider: OidcProviderConfig,
  identity: Identity,
  now: Date,
): Promise<Row<'users'>> {
  let user = await q.identity(tx, provider.id, identity.subject);
  if (!user && identity.email) {
    // An address the provider has not verified could be anyone's: it never matches an account.
    if (identity.emailVerified === false) {
      throw new Forbidden(`${provider.name} has not verified the email address ${identity.email}`);
    }
    user = await q.userByEmail(tx, identity.email);
    if (!user && provider.create_users) user = await createUser(tx, provider, identity, now);
  }
  if (!user) {
    throw new Forbidden(
      identity.email
        ? `no Tocsin user has the email address ${identity.email}: ask an admin to add you`
        : `${provider.name} gave no email address to find your Tocsin user by`,
    );
  }
  await q.upsertIdentity(tx, {
    provider: provider.id,
    subject: identity.subject,
    user_id: user.id,
    email: identity.email ?? null,
    created_at: now,
    last_sign_in_at: now,
  });
  const role = mappedRole(provider, identity.groups);
  if (role && role !== user.role) {
    const before = user.role;
    user = await q.setRole(tx, user.id, role, now);
    await audit.record(tx, providerActor(provider), now, {
      action: 'user.updated',
      entityType: 'user',
      entityId: user.id,
      before: { role: before },
      after: { role, groups: identity.groups },
    });
  }
  return user;
}

async function createUser(
  tx: Executor,
  provider: OidcProviderConfig,
  identity: Identity,
  now: Date,
): Promise<Row<'users'>> {
  const email = identity.email as string;
  const handle = await freeHandle(tx, email);
  const created = await users.insert(tx, {
    handle,
    name: identity.name?.trim().slice(0, 200) || email,
    email,
    role: mappedRole(provider, identity.groups) ?? provider.default_role,
    created_at: now,
    updated_at: now,
  });
  await audit.record(tx, providerActor(provider), now, {
    action: 'user.created',
    entityType: 'user',
    entityId: created.id,
    after: { handle, email, role: created.role, via: `oidc:${provider.id}` },
  });
  return created;
}

/** A user name from the email's local part, made valid and unique ("abebe", "abebe-2", …). */
async function freeHandle(tx: Executor, email: string): Promise<string> {
  const local = email.split('@')[0] ?? 'user';
  const base =
    local
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[^a-z0-9]+/, '')
      .slice(0, 50) || 'user';
  for (let n = 1; ; n++) {
    const handle = n === 1 ? base : `${base}-${n}`;
    if (!(await q.handleTaken(tx, handle))) return handle;
  }
}
