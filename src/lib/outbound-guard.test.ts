import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addressRange,
  checkOutboundUrl,
  guardedFetch,
  isPublicAddress,
  type OutboundPolicy,
  OutboundRefused,
  outboundAllowList,
} from './outbound-guard.ts';

const strict: OutboundPolicy = { allowPrivate: false };

describe('the outbound guard without TOCSIN_ALLOW_PRIVATE_WEBHOOKS', () => {
  it.each([
    ['http://127.0.0.1/', 'loopback'],
    ['http://127.8.9.10:8080/x', 'loopback'],
    ['http://10.1.2.3/', 'private'],
    ['http://172.16.0.1/', 'private'],
    ['http://192.168.1.1/', 'private'],
    ['http://169.254.169.254/latest/meta-data/', 'linkLocal'],
    ['http://100.64.0.1/', 'carrierGradeNat'],
    ['http://0.0.0.0/', 'unspecified'],
    ['http://224.0.0.1/', 'multicast'],
    ['http://2130706433/', 'loopback'], // 127.0.0.1 spelled as one number
    ['http://[::1]/', 'loopback'],
    ['http://[::]/', 'unspecified'],
    ['http://[::ffff:127.0.0.1]/', 'loopback'],
    ['http://[::ffff:a9fe:a9fe]/', 'linkLocal'], // 169.254.169.254, IPv4-mapped
    ['http://[fe80::1]/', 'linkLocal'],
    ['http://[fd00::1]/', 'uniqueLocal'],
  ])('refuses %s (%s)', async (url, range) => {
    await expect(checkOutboundUrl(url, strict)).rejects.toThrow(OutboundRefused);
    await expect(checkOutboundUrl(url, strict)).rejects.toThrow(`is a ${range} address`);
  });

  it('refuses a host name that resolves to a private address, if any of its addresses is', async () => {
    const resolve = async (host: string) =>
      host === 'intranet.example' ? ['93.184.215.14', '10.0.0.7'] : ['93.184.215.14'];
    await expect(
      checkOutboundUrl('https://intranet.example/', { allowPrivate: false, resolve }),
    ).rejects.toThrow(
      'refused: intranet.example (10.0.0.7) is a private address; list it in TOCSIN_OUTBOUND_ALLOW or set TOCSIN_ALLOW_PRIVATE_WEBHOOKS=true',
    );
    const ok = await checkOutboundUrl('https://status.example/api', { allowPrivate: false, resolve });
    expect(ok.href).toBe('https://status.example/api');
  });

  it('refuses localhost through the system resolver', async () => {
    await expect(checkOutboundUrl('http://localhost:9/', strict)).rejects.toThrow(
      /localhost \(.+\) is a loopback/,
    );
  });

  it('allows public addresses and refuses other schemes', async () => {
    expect(isPublicAddress('93.184.215.14')).toBe(true);
    expect(isPublicAddress('2606:4700:4700::1111')).toBe(true);
    expect(addressRange('[::1]')).toBe('loopback');
    await expect(checkOutboundUrl('http://93.184.215.14/', strict)).resolves.toBeInstanceOf(URL);
    await expect(checkOutboundUrl('ftp://93.184.215.14/', strict)).rejects.toThrow('only http and https');
    await expect(checkOutboundUrl('file:///etc/passwd', strict)).rejects.toThrow('only http and https');
    await expect(checkOutboundUrl('not a url', strict)).rejects.toThrow('not a URL');
  });

  it('lets everything through when private targets are allowed', async () => {
    await expect(checkOutboundUrl('http://127.0.0.1/', { allowPrivate: true })).resolves.toBeInstanceOf(URL);
    await expect(checkOutboundUrl('http://[::1]/', { allowPrivate: true })).resolves.toBeInstanceOf(URL);
  });
});

describe('the outbound allow-list (TOCSIN_OUTBOUND_ALLOW)', () => {
  const allow = outboundAllowList([
    '10.0.0.0/8',
    'fd00:1::/32',
    '192.168.7.7',
    'hooks.internal.example',
    '*.corp.example',
  ]);
  const dns: Record<string, string[]> = {
    'hooks.internal.example': ['172.16.5.5'],
    'build.corp.example': ['192.168.1.1'],
    'corp.example': ['192.168.1.2'],
    'rebound.example': ['93.184.215.14', '127.0.0.1'],
    'in-range.example': ['10.20.30.40', '93.184.215.14'],
    'metadata.example': ['169.254.169.254'],
  };
  const policy: OutboundPolicy = { allowPrivate: false, allow, resolve: async (host) => dns[host] ?? [] };

  it.each([
    'http://10.1.2.3/hook',
    'http://10.255.255.255:8443/',
    'http://[::ffff:10.0.0.9]/', // IPv4-mapped: matched as the IPv4 address it carries
    'http://[fd00:1:abcd::5]/',
    'http://192.168.7.7/',
    'https://in-range.example/', // every address public or in an allowed range
    'https://hooks.internal.example/x', // allowed by name, whatever it resolves to
    'https://HOOKS.internal.example./x',
    'https://build.corp.example/',
  ])('allows %s', async (url) => {
    await expect(checkOutboundUrl(url, policy)).resolves.toBeInstanceOf(URL);
  });

  it.each([
    ['http://11.0.0.1.internal/', 'does not resolve'],
    ['http://192.168.7.8/', 'is a private address; list it in TOCSIN_OUTBOUND_ALLOW'],
    ['http://172.16.0.1/', 'is a private address'],
    ['http://127.0.0.1/', 'is a loopback address'],
    ['http://169.254.169.254/', 'is a linkLocal address'],
    ['http://[fd00:2::1]/', 'is a uniqueLocal address'],
    // A name not on the list that DNS answers with a private address is still refused.
    ['https://rebound.example/', 'rebound.example (127.0.0.1) is a loopback address'],
    ['https://metadata.example/', 'metadata.example (169.254.169.254) is a linkLocal address'],
    // *.corp.example covers subdomains, not corp.example itself.
    ['https://corp.example/', 'corp.example (192.168.1.2) is a private address'],
  ])('refuses %s', async (url, why) => {
    await expect(checkOutboundUrl(url, policy)).rejects.toThrow(why);
  });

  it('rejects entries that are neither CIDR, address nor host name', () => {
    expect(() => outboundAllowList(['10.0.0.0/8', 'not a host'])).toThrow(OutboundRefused);
    expect(outboundAllowList([' 127.0.0.1 ', '', '::1']).ranges).toHaveLength(2);
  });
});

describe('guardedFetch', () => {
  const server = Fastify();
  let port = 0;
  const hits: string[] = [];
  beforeAll(async () => {
    server.addHook('onRequest', async (request) => void hits.push(`${request.method} ${request.url}`));
    server.get('/to-loopback', async (_request, reply) => reply.redirect(`http://127.0.0.1:${port}/inside`));
    server.get('/to-intranet', async (_request, reply) => reply.redirect('http://intranet.example/'));
    server.get('/hop', async (_request, reply) => reply.redirect('/inside'));
    server.post('/see-other', async (_request, reply) => reply.redirect('/inside', 303));
    server.get('/inside', async () => 'secret');
    await server.listen({ host: '127.0.0.1', port: 0 });
    port = (server.server.address() as AddressInfo).port;
  });
  afterAll(() => server.close());

  it('checks every redirect hop: a redirect to a private address is refused before it is followed', async () => {
    // The guard is told "localhost" is public (fetch still connects to loopback): the first hop passes,
    // the redirect to 127.0.0.1 does not.
    const policy: OutboundPolicy = { allowPrivate: false, resolve: async () => ['93.184.215.14'] };
    hits.length = 0;
    await expect(guardedFetch(`http://localhost:${port}/to-loopback`, { policy })).rejects.toThrow(
      'refused: 127.0.0.1 is a loopback address',
    );
    expect(hits).toEqual(['GET /to-loopback']);
  });

  it('lets an allowed loopback range through, but not a redirect out of it into another private range', async () => {
    const policy: OutboundPolicy = {
      allowPrivate: false,
      allow: outboundAllowList(['127.0.0.1/32']),
      resolve: async (host) => (host === 'intranet.example' ? ['10.0.0.7'] : ['93.184.215.14']),
    };
    hits.length = 0;
    const ok = await guardedFetch(`http://127.0.0.1:${port}/hop`, { policy });
    expect(await ok.response.text()).toBe('secret');
    await expect(guardedFetch(`http://127.0.0.1:${port}/to-intranet`, { policy })).rejects.toThrow(
      'refused: intranet.example (10.0.0.7) is a private address',
    );
    expect(hits).toEqual(['GET /hop', 'GET /inside', 'GET /to-intranet']);
  });

  it('follows allowed redirects itself, turning a 303 into a GET, and stops at maxRedirects', async () => {
    const policy = { allowPrivate: true };
    const followed = await guardedFetch(`http://127.0.0.1:${port}/hop`, { policy });
    expect(followed.response.status).toBe(200);
    expect(await followed.response.text()).toBe('secret');
    expect(followed.url.pathname).toBe('/inside');

    hits.length = 0;
    const seeOther = await guardedFetch(`http://127.0.0.1:${port}/see-other`, {
      policy,
      method: 'POST',
      body: 'x',
      headers: { 'content-type': 'text/plain' },
    });
    expect(seeOther.response.status).toBe(200);
    expect(hits).toEqual(['POST /see-other', 'GET /inside']);

    const notFollowed = await guardedFetch(`http://127.0.0.1:${port}/hop`, { policy, maxRedirects: 0 });
    expect(notFollowed.response.status).toBe(302);
  });
});
