/** HTTP status of a client-node ApiException (undefined for network errors and the like). */
export function apiStatus(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}

/**
 * One line describing an API failure. client-node's ApiException message carries the response
 * body and headers; only the Status `message` is kept, so nothing unexpected reaches a log.
 */
export function apiReason(err: unknown): string {
  const status = apiStatus(err);
  if (status === undefined) {
    const e = err as { code?: unknown; message?: unknown } | undefined;
    const text = typeof e?.message === 'string' ? e.message.split('\n')[0] : String(err);
    return `cannot reach the API server (${typeof e?.code === 'string' ? `${e.code}: ` : ''}${text})`;
  }
  let body = (err as { body?: unknown }).body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      // not a Status object: the HTTP status alone is the reason
    }
  }
  const message = (body as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' && message !== '' ? `HTTP ${status}: ${message.split('\n')[0]}` : `HTTP ${status}`;
}
