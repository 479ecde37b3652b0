/** One `-----BEGIN <label>-----` … `-----END <label>-----` block, as text with `\n` line ends. */
export interface PemBlock {
  readonly label: string;
  readonly text: string;
}

/** The blocks of a PEM text, or why it cannot be read as PEM. */
export type PemBlocks = { readonly ok: true; readonly blocks: readonly PemBlock[] } | { readonly ok: false; readonly problem: string };

/** Labels as written by OpenSSL, Go and cert-manager: `CERTIFICATE`, `RSA PRIVATE KEY`, … */
const BEGIN = /^-----BEGIN ([A-Z0-9 ]{1,40})-----$/;
const END = /^-----END ([A-Z0-9 ]{1,40})-----$/;

/**
 * Splits a PEM text into blocks as OpenSSL's PEM reader does (RFC 7468): a block starts at a line
 * that is exactly `-----BEGIN <label>-----` and ends at the matching END line; text between
 * blocks is ignored ("Bag Attributes", `openssl x509 -text` output). A BEGIN without its END, an
 * END of another label or a malformed BEGIN/END line is a problem: OpenSSL would fail on it, and
 * nginx with it. Messages name labels only, never content.
 * https://www.rfc-editor.org/rfc/rfc7468#section-2
 */
export function pemBlocks(pem: string): PemBlocks {
  const blocks: PemBlock[] = [];
  let label: string | undefined;
  let lines: string[] = [];
  for (const raw of pem.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (label === undefined) {
      if (line.startsWith('-----END ')) return { ok: false, problem: 'has an END line without its BEGIN line' };
      if (!line.startsWith('-----BEGIN ')) continue;
      const begin = BEGIN.exec(line);
      if (!begin) return { ok: false, problem: 'has a malformed BEGIN line' };
      [label, lines] = [begin[1]!, [line]];
      continue;
    }
    lines.push(line);
    if (line.startsWith('-----END ')) {
      if (END.exec(line)?.[1] !== label) return { ok: false, problem: `has a ${label} block ended by another END line` };
      blocks.push({ label, text: `${lines.join('\n')}\n` });
      label = undefined;
    } else if (line.startsWith('-----BEGIN ')) {
      return { ok: false, problem: `has a ${label} block that is not ended before the next BEGIN line` };
    }
  }
  if (label !== undefined) return { ok: false, problem: `has a ${label} block without its END line` };
  return { ok: true, blocks };
}
