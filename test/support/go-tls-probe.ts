// Go's crypto/x509 as a judge of certificates: the real kubectl (a Go program, like the API
// server) connects to a TLS server trusting only the given CA. Node and OpenSSL accept encodings
// Go refuses (e.g. `@` in a PrintableString), so "Node accepts it" proves nothing for a cluster.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface GoTlsVerdict {
  /** True when Go completed the handshake with verification (any HTTP answer counts). */
  readonly verified: boolean;
  /** kubectl's stderr: the x509 error when not verified. */
  readonly detail: string;
}

/**
 * `kubectl get --raw /gatehouse-tls-probe` against `url` with `caPem` as the only root and
 * `serverName` as the name to verify (else the URL's host). No kubeconfig, no credentials.
 */
export async function goVerifies(kubectl: string, url: string, caPem: string, scratchDir: string, serverName?: string): Promise<GoTlsVerdict> {
  const caFile = join(scratchDir, `probe-ca-${Date.now()}-${Math.random().toString(16).slice(2)}.pem`);
  await writeFile(caFile, caPem);
  // A token so kubectl does not prompt for a user name; it goes only to the probed test server.
  const args = ['--kubeconfig=/dev/null', '--token=gatehouse-tls-probe', `--server=${url}`, `--certificate-authority=${caFile}`, ...(serverName ? [`--tls-server-name=${serverName}`] : []), 'get', '--raw', '/gatehouse-tls-probe'];
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(kubectl, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: scratchDir } });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (c) => resolve({ code: c ?? -1, stdout: out, stderr: err }));
  });
  // A verified handshake ends in an HTTP answer: a body, or "Error from server (...)" for a 4xx.
  const answered = code === 0 || /Error from server/.test(stderr);
  return { verified: answered && !/x509|tls:/.test(stderr), detail: (stderr || stdout).trim() };
}
