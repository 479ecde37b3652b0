import type { X509Certificate } from 'node:crypto';
import { generateCa, issueServingCert, type CertAndKey } from './generate.js';
import { inspectCa, inspectServing, issuedBy, type StoredMaterial } from './inspect.js';
import { joinBundle, parseBundle, parseCertificate } from './pem.js';

/**
 * Annotation on the Secret: SHA-256 fingerprint of each retired CA still in the bundle → when it
 * may go (RFC 3339). The bundle alone cannot say how long an old CA is needed; this can.
 */
export const RETIRED_CAS_ANNOTATION = 'gatehouse.dev/retired-cas';

/** Fingerprint → RFC 3339 time after which the retired CA leaves the bundle. */
export type RetiredCas = Readonly<Record<string, string>>;

export interface PlanInput {
  readonly stored: StoredMaterial;
  readonly retired: RetiredCas;
  readonly hosts: readonly string[];
  readonly keySize: number;
  readonly caValidityMs: number;
  readonly certValidityMs: number;
  readonly renewBeforeMs: number;
  /** Keep replaced CAs in the bundle while certificates they signed may still be served (Secret mode). */
  readonly keepRetiredCas: boolean;
  readonly now: Date;
}

/** Complete material to store; `ca` is the bundle, current CA first. */
export interface NewMaterial {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
  /** Undefined when the stored CA has no key we know (a Secret written by kube-webhook-certgen). */
  readonly caKey: string | undefined;
}

export type Plan =
  | { readonly changed: false; readonly message: string }
  | { readonly changed: true; readonly message: string; readonly material: NewMaterial; readonly retired: RetiredCas };

/** Parses the annotation; anything unreadable counts as "no retired CAs" (the bundle is ours). */
export function parseRetiredCas(text: string | undefined): RetiredCas {
  if (!text) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
    return Object.fromEntries(Object.entries(parsed).filter(([, v]) => typeof v === 'string' && !Number.isNaN(Date.parse(v))));
  } catch {
    return {};
  }
}

/**
 * The CAs that stay beside `current`: each other bundle CA while its annotation entry or a
 * certificate it signed (the one being replaced, which a webhook Pod may still serve until the
 * kubelet syncs the Secret and the server reloads) is unexpired. CAs with neither are dropped.
 */
function retainedCas(bundle: readonly X509Certificate[], current: X509Certificate, input: PlanInput): Map<X509Certificate, Date> {
  const kept = new Map<X509Certificate, Date>();
  if (!input.keepRetiredCas) return kept;
  const replaced = parseCertificate(input.stored.cert);
  for (const ca of bundle) {
    if (ca.fingerprint256 === current.fingerprint256) continue;
    let until = input.retired[ca.fingerprint256] ? new Date(input.retired[ca.fingerprint256]!) : undefined;
    if (replaced && issuedBy(replaced, ca)) {
      const needed = new Date(Math.min(Date.parse(replaced.validTo), Date.parse(ca.validTo)));
      if (!until || needed > until) until = needed;
    }
    if (until && until.getTime() > input.now.getTime()) kept.set(ca, until);
  }
  return kept;
}

function retiredRecord(kept: Map<X509Certificate, Date>): RetiredCas {
  return Object.fromEntries([...kept].map(([ca, until]) => [ca.fingerprint256, until.toISOString()]));
}

function sameRecord(a: RetiredCas, b: RetiredCas): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && Date.parse(a[k]!) === Date.parse(b[k]!));
}

function latest(dates: Iterable<Date>): Date | undefined {
  let max: Date | undefined;
  for (const d of dates) if (!max || d > max) max = d;
  return max;
}

/**
 * Decides what `certgen create` must store, generating keys and certificates only when needed:
 * nothing when the serving certificate is good (bar dropping expired retired CAs); a new serving
 * certificate from the stored CA when that CA can outlive it; otherwise a new CA as well, with
 * the old CA kept in the bundle until the certificate it signed would have expired.
 */
export function planCertificates(input: PlanInput): Plan {
  const { stored, now } = input;
  const bundle = parseBundle(stored.ca) ?? [];
  const verdict = inspectServing(stored, input.hosts, now, input.renewBeforeMs);

  if (verdict.ok) {
    const kept = retainedCas(bundle, verdict.issuer, input);
    const next = [verdict.issuer, ...kept.keys()];
    const retired = retiredRecord(kept);
    const unchanged =
      next.length === bundle.length && next.every((c, i) => c.fingerprint256 === bundle[i]!.fingerprint256) && sameRecord(retired, input.retired);
    const renewAt = new Date(Date.parse(verdict.cert.validTo) - input.renewBeforeMs).toISOString();
    if (unchanged) return { changed: false, message: `certificate valid until ${new Date(verdict.cert.validTo).toISOString()}, renewal from ${renewAt}: nothing to do` };
    const dropped = bundle.length - next.length;
    return {
      changed: true,
      message: dropped > 0 ? `certificate still valid; dropped ${dropped} retired CA(s) from the bundle` : 'certificate still valid; CA bundle order or retired-CA record updated',
      material: { ca: joinBundle(next), cert: stored.cert!, key: stored.key!, caKey: stored.caKey },
      retired,
    };
  }

  const neededUntil = new Date(now.getTime() + input.certValidityMs);
  const caVerdict = inspectCa(stored, now, neededUntil);
  const signer: CertAndKey = caVerdict.ok
    ? { certPem: caVerdict.ca.toString(), keyPem: stored.caKey! }
    : generateCa({ keySize: input.keySize, validityMs: input.caValidityMs, now });
  const serving = issueServingCert(signer, { hosts: input.hosts, keySize: input.keySize, validityMs: input.certValidityMs, now });
  const signerCert = parseCertificate(signer.certPem)!;
  const kept = retainedCas(bundle, signerCert, input);
  const material: NewMaterial = {
    ca: joinBundle([signerCert, ...kept.keys()]),
    cert: serving.certPem,
    key: serving.keyPem,
    caKey: signer.keyPem,
  };
  const until = latest(kept.values());
  const keptNote = until ? `; ${kept.size} previous CA(s) stay in the bundle until ${until.toISOString()}` : '';
  const message = caVerdict.ok
    ? `issued a new serving certificate (${verdict.reason}) from the existing CA${keptNote}`
    : `issued a new CA (${caVerdict.reason}) and serving certificate (${verdict.reason})${keptNote}`;
  return { changed: true, message, material, retired: retiredRecord(kept) };
}
