import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  CERTGEN_CREATE_FLAGS,
  CERTGEN_PATCH_FLAGS,
  CREATE_DEFAULTS,
  certgenCreateOptionsFrom,
  certgenPatchOptionsFrom,
} from '../../src/certgen/options.js';
import { formatHelp, parseFlags } from '../../src/config/flags.js';

const DAY = 86_400_000;
const create = (...argv: string[]) => certgenCreateOptionsFrom(parseFlags(CERTGEN_CREATE_FLAGS, argv).values);
const patch = (...argv: string[]) => certgenPatchOptionsFrom(parseFlags(CERTGEN_PATCH_FLAGS, argv).values);

describe('certgen create flags', () => {
  test('accept the arguments of an ingress-nginx kube-webhook-certgen create Job', () => {
    const opts = create('--host=ingress-nginx-controller-admission,ingress-nginx-controller-admission.ingress-nginx.svc', '--namespace=ingress-nginx', '--secret-name=ingress-nginx-admission');
    expect(opts).toEqual({
      ...CREATE_DEFAULTS,
      hosts: ['ingress-nginx-controller-admission', 'ingress-nginx-controller-admission.ingress-nginx.svc'],
      namespace: 'ingress-nginx',
      secretName: 'ingress-nginx-admission',
    });
  });

  test('default to the kube-webhook-certgen Secret keys, RSA 2048, a 10-year CA, 1-year certificates renewed 30 days early', () => {
    expect(CREATE_DEFAULTS).toEqual({
      certName: 'cert',
      keyName: 'key',
      caName: 'ca',
      caKeyName: 'ca-key',
      keySize: 2048,
      caValidityMs: 3650 * DAY,
      certValidityMs: 365 * DAY,
      renewBeforeMs: 30 * DAY,
    });
  });

  test.for([
    ['87600h', 3650 * DAY],
    ['3650d', 3650 * DAY],
    ['10y', 3650 * DAY],
  ] as const)('read --ca-validity %s', ([text, ms]) => {
    expect(create('--host', 'a', '--out-dir', 'd', '--ca-validity', text).caValidityMs).toBe(ms);
  });

  test('need no Secret with --out-dir', () => {
    expect(create('--host', 'localhost,127.0.0.1', '--out-dir', 'certs')).toMatchObject({ hosts: ['localhost', '127.0.0.1'], outDir: 'certs' });
  });

  test.for([
    ['no --host', ['--out-dir', 'd'], /--host is required/],
    ['no Secret and no --out-dir', ['--host', 'a'], /--namespace and --secret-name are required unless --out-dir/],
    ['a small key', ['--host', 'a', '--out-dir', 'd', '--key-size', '1024'], /--key-size: must be at least 2048/],
    ['a bad duration', ['--host', 'a', '--out-dir', 'd', '--cert-validity', '1 year'], /--cert-validity: must be a duration/],
  ] as const)('refuse %s', ([, argv, reason]) => {
    expect(() => create(...argv)).toThrow(reason);
  });

  test('document every flag in --help', () => {
    const help = formatHelp('gatehouse certgen create [flags]', 'Issue certificates.', CERTGEN_CREATE_FLAGS);
    for (const f of CERTGEN_CREATE_FLAGS) expect(help).toContain(`--${f.name}`);
  });
});

describe('certgen patch flags', () => {
  test('accept the arguments of an ingress-nginx kube-webhook-certgen patch Job', () => {
    const opts = patch('--webhook-name=ingress-nginx-admission', '--namespace=ingress-nginx', '--patch-mutating=false', '--secret-name=ingress-nginx-admission', '--patch-failure-policy=Fail');
    expect(opts).toEqual({
      webhookName: 'ingress-nginx-admission',
      namespace: 'ingress-nginx',
      secretName: 'ingress-nginx-admission',
      caName: 'ca',
      patchValidating: true,
      patchMutating: false,
      patchFailurePolicy: 'Fail',
    });
  });

  test('refuse a failure policy other than Fail or Ignore', () => {
    expect(() => patch('--webhook-name', 'w', '--namespace', 'n', '--secret-name', 's', '--patch-failure-policy', 'Retry')).toThrow(/must be one of Fail, Ignore/);
  });

  test('refuse to patch neither kind', () => {
    expect(() => patch('--webhook-name', 'w', '--namespace', 'n', '--secret-name', 's', '--patch-validating=false', '--patch-mutating=false')).toThrow(/nothing to patch/);
  });
});

describe('docs/deploy.md', () => {
  const docs = readFileSync('docs/deploy.md', 'utf8');
  test.for([...CERTGEN_CREATE_FLAGS, ...CERTGEN_PATCH_FLAGS].map((f) => f.name))('documents --%s', (name) => {
    expect(docs).toContain(`\`--${name}\``);
  });
});
