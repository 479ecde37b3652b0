import { execFileSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { generateCa, issueServingCert } from '../../src/certgen/generate.js';

const SERVICE_HOSTS = ['gatehouse-webhook', 'gatehouse-webhook.gatehouse', 'gatehouse-webhook.gatehouse.svc', '127.0.0.1', '::1'];
const DAY = 86_400_000;

const ca = generateCa({ keySize: 2048, validityMs: 3650 * DAY });
const serving = issueServingCert(ca, { hosts: SERVICE_HOSTS, keySize: 2048, validityMs: 365 * DAY });
const caCert = new X509Certificate(ca.certPem);
const leaf = new X509Certificate(serving.certPem);

const dir = mkdtempSync(join(tmpdir(), 'gh-certgen-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function openssl(...args: string[]): string {
  return execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function pemFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** GET / over a fresh TLS connection to 127.0.0.1 trusting only `caPem`. */
function fetchWith(port: number, caPem: string, servername?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/', ca: caPem, agent: false, ...(servername ? { servername } : {}) },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve(body));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('generateCa', () => {
  test('is a CA with critical basicConstraints and keyCertSign/cRLSign key usage', () => {
    const text = openssl('x509', '-in', pemFile('ca-text.pem', ca.certPem), '-noout', '-text');
    expect(caCert.ca).toBe(true);
    expect(text).toMatch(/Basic Constraints: critical\s+CA:TRUE/);
    expect(text).toMatch(/Key Usage: critical\s+Certificate Sign, CRL Sign/);
  });

  test('is self-signed with SHA-256', () => {
    expect(caCert.checkIssued(caCert)).toBe(true);
    expect(caCert.verify(caCert.publicKey)).toBe(true);
    expect(openssl('x509', '-in', pemFile('ca-sig.pem', ca.certPem), '-noout', '-text')).toContain('sha256WithRSAEncryption');
  });

  test('starts a few minutes in the past so peers with lagging clocks accept it', () => {
    const now = new Date('2026-01-01T12:00:00Z');
    const pinned = new X509Certificate(generateCa({ keySize: 2048, validityMs: DAY, now }).certPem);
    const backdate = now.getTime() - Date.parse(pinned.validFrom);
    expect(backdate).toBeGreaterThanOrEqual(60_000);
    expect(backdate).toBeLessThanOrEqual(15 * 60_000);
    expect(Date.parse(pinned.validTo)).toBe(now.getTime() + DAY);
  });

  test('uses the requested RSA key size', () => {
    const big = generateCa({ keySize: 3072, validityMs: DAY });
    expect(new X509Certificate(big.certPem).publicKey.asymmetricKeyDetails?.modulusLength).toBe(3072);
  });
});

describe('issueServingCert', () => {
  test('openssl verify accepts it against the CA, strictly, for TLS server use and the Service name', () => {
    const out = openssl(
      'verify',
      '-x509_strict',
      '-purpose',
      'sslserver',
      '-verify_hostname',
      'gatehouse-webhook.gatehouse.svc',
      '-CAfile',
      pemFile('ca.pem', ca.certPem),
      pemFile('cert.pem', serving.certPem),
    );
    expect(out.trim()).toMatch(/: OK$/);
  });

  test('openssl verify accepts the IP SAN', () => {
    const out = openssl('verify', '-verify_ip', '127.0.0.1', '-CAfile', pemFile('ca-ip.pem', ca.certPem), pemFile('cert-ip.pem', serving.certPem));
    expect(out.trim()).toMatch(/: OK$/);
  });

  test('puts every host in the SANs, IPs as IP entries, and the first host in the CN', () => {
    expect(leaf.subject).toBe('CN=gatehouse-webhook');
    expect(leaf.subjectAltName).toBe(
      'DNS:gatehouse-webhook, DNS:gatehouse-webhook.gatehouse, DNS:gatehouse-webhook.gatehouse.svc, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1',
    );
  });

  test('is for serverAuth only and is not a CA', () => {
    expect(leaf.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(leaf.ca).toBe(false);
  });

  test('has a positive 128-bit serial, different each time', () => {
    const again = new X509Certificate(issueServingCert(ca, { hosts: ['a'], keySize: 2048, validityMs: DAY }).certPem);
    for (const c of [leaf, again]) {
      expect(c.serialNumber).toMatch(/^[89A-F][0-9A-F]{31}$/);
    }
    expect(again.serialNumber).not.toBe(leaf.serialNumber);
  });

  test('key matches the certificate', () => {
    expect(leaf.checkPrivateKey(createPrivateKey(serving.keyPem))).toBe(true);
  });

  test('Node TLS trusts it with only the CA and the Service DNS name as servername', async () => {
    const server = createServer({ cert: serving.certPem, key: serving.keyPem }, (_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      await expect(fetchWith(port, ca.certPem, 'gatehouse-webhook.gatehouse.svc')).resolves.toBe('ok');
      // The IP SAN: no servername, so Node checks the address it dialled.
      await expect(fetchWith(port, ca.certPem)).resolves.toBe('ok');
      // A name outside the SANs is refused.
      await expect(fetchWith(port, ca.certPem, 'other.gatehouse.svc')).rejects.toThrow(/altnames/i);
      // Another CA is not trusted.
      await expect(fetchWith(port, generateCa({ keySize: 2048, validityMs: DAY }).certPem, 'gatehouse-webhook')).rejects.toThrow();
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  test('refuses an empty host list', () => {
    expect(() => issueServingCert(ca, { hosts: [], keySize: 2048, validityMs: DAY })).toThrow(/at least one host/);
  });
});
