import { describe, expect, test } from 'vitest';
import { externalAuthFeature, type ExternalAuthConfig } from '../../../src/annotations/features/external-auth.js';
import { ingressSettingsOf } from '../../../src/annotations/ingress-settings.js';
import { checkAnnotationValue } from '../../../src/annotations/validate.js';

function settings(raw: Record<string, string>, allowAuthUrlLoopback = false) {
  const values = Object.fromEntries(
    Object.entries(raw).map(([k, v]) => {
      const verdict = checkAnnotationValue(k, v);
      if (!verdict.ok) throw new Error(`${k}: ${verdict.reason}`);
      return [k, verdict.value];
    }),
  );
  return ingressSettingsOf(values, { namespace: 'shop', allowAuthUrlLoopback });
}

function config(raw: Record<string, string>): ExternalAuthConfig {
  const s = settings(raw);
  if ('error' in s) throw new Error(s.error);
  return s.features['external-auth']!;
}

const LOCATION = { pass: 'proxy', proxies: true, source: 'shop/web', secretsDir: '/etc/gh/certs', match: 'prefix', path: '/' } as const;

describe('auth-url: what the schema refuses', () => {
  test.for([
    ['another scheme', 'ftp://auth.example.com/'],
    ['credentials in the URL', 'http://user:pw@auth.example.com/'],
    ['an nginx variable (the client would choose the host)', 'https://$host/oauth2/auth'],
    ['a host the URL parser rewrites', 'http://0x7f.1/'],
    ['a space', 'http://auth.example.com/a b'],
    ['no host', 'http:///verify'],
    ['a quote', 'http://auth.example.com/"'],
  ])('%s: %s', ([, url]) => {
    expect(checkAnnotationValue('auth-url', url).ok).toBe(false);
  });
});

describe('auth-url: targets nginx must not dial', () => {
  test.for([
    ['http://169.254.169.254/latest/meta-data', '169.254.169.254 is a loopback, link-local, unspecified or metadata address'],
    ['http://127.0.0.1:4180/oauth2/auth', '127.0.0.1 is a loopback, link-local, unspecified or metadata address'],
    ['http://[::1]:8080/', '::1 is a loopback, link-local, unspecified or metadata address'],
    ['http://[fe80::1]/', 'fe80::1 is a loopback, link-local, unspecified or metadata address'],
    ['http://0.0.0.0/', '0.0.0.0 is a loopback, link-local, unspecified or metadata address'],
    ['http://localhost:4180/', 'localhost names the local host or a metadata service'],
    ['http://metadata.google.internal/computeMetadata/v1/', 'metadata.google.internal names the local host or a metadata service'],
  ] as const)('%s is refused', ([url, why]) => {
    expect(settings({ 'auth-url': url })).toEqual({ error: `auth-url ${JSON.stringify(url)} cannot be dialled by nginx: ${why}`, key: 'auth-url' });
  });

  test.for(['http://oauth2-proxy.auth.svc.cluster.local/oauth2/auth', 'http://10.0.0.5:4180/verify', 'https://auth.example.com/verify?group=staff'])('%s is accepted', (url) => {
    expect(config({ 'auth-url': url }).url).toBe(url);
  });

  test('allowAuthUrlLoopback (tests) admits loopback only, never a metadata address', () => {
    expect(settings({ 'auth-url': 'http://127.0.0.40:4180/' }, true)).not.toHaveProperty('error');
    expect(settings({ 'auth-url': 'http://169.254.169.254/' }, true)).toHaveProperty('error');
    expect(settings({ 'auth-url': 'http://localhost/' }, true)).toHaveProperty('error');
  });
});

describe('auth-signin: the original URL in rd, as ingress-nginx builds it', () => {
  const URL = 'http://auth.shop.svc.cluster.local/verify';
  test.for([
    [{ 'auth-signin': 'https://login.example.com/start' }, 'https://login.example.com/start?rd=$scheme://$http_host$request_uri'],
    [{ 'auth-signin': 'https://login.example.com/start?client=shop' }, 'https://login.example.com/start?client=shop&rd=$scheme://$http_host$request_uri'],
    [{ 'auth-signin': 'https://login.example.com/start?rd=https://shop.example.com/' }, 'https://login.example.com/start?rd=https://shop.example.com/'],
    [{ 'auth-signin': 'https://login.example.com/start', 'auth-signin-redirect-param': 'redirect_uri' }, 'https://login.example.com/start?redirect_uri=$scheme://$http_host$request_uri'],
  ] as const)('%o → %s', ([raw, target]) => {
    expect(config({ 'auth-url': URL, ...raw }).signin).toBe(target);
  });
});

describe('rendering', () => {
  const c = config({
    'auth-url': 'http://auth.shop.svc.cluster.local/verify',
    'auth-response-headers': 'X-Auth-Request-User, x-auth-request-user, X-Auth-Request-Email',
    'auth-signin': 'https://login.example.com/start',
  });

  test('response headers are forwarded once per nginx variable, each from the auth response only', () => {
    expect(c.responseHeaders).toEqual(['X-Auth-Request-User', 'X-Auth-Request-Email']);
    const { directives } = externalAuthFeature.location!(c, LOCATION);
    expect(directives).toContain('auth_request_set $gh_auth_x_auth_request_user $upstream_http_x_auth_request_user;');
    expect(directives).toContain('proxy_set_header X-Auth-Request-User $gh_auth_x_auth_request_user;');
  });

  test('a gRPC location sets the headers with grpc_set_header', () => {
    expect(externalAuthFeature.location!(c, { ...LOCATION, pass: 'grpc' }).directives).toContain('grpc_set_header X-Auth-Request-User $gh_auth_x_auth_request_user;');
  });

  test('the auth location is internal, named by the whole config, and dials the URL through a variable', () => {
    const lines = externalAuthFeature.server!(c, { secretsDir: '/etc/gh/certs' });
    expect(lines[0]).toMatch(/^location = "\/_gh_auth\|[0-9a-f]{16}" \{$/);
    expect(lines).toContain('    internal;');
    expect(lines).toContain('    set $gh_auth_target "http://auth.shop.svc.cluster.local/verify";');
    expect(lines).toContain('    proxy_pass $gh_auth_target;');
    const other = externalAuthFeature.server!({ ...c, signin: 'https://other.example.com/?rd=x' }, { secretsDir: '/etc/gh/certs' });
    expect(other[0]).not.toBe(lines[0]);
  });
});
