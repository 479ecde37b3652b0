// CORS values are bounded by what nginx can read: the origin list renders as ONE regex parameter,
// the header lists as one add_header value each; nginx refuses a parameter over 4093 bytes and
// then fails `nginx -t` for the whole configuration (test/nginx/parameter-length.test.ts).
import { describe, expect, test } from 'vitest';
import { corsOriginRegex } from '../../../src/annotations/features/cors.js';
import { checkAnnotationValue } from '../../../src/annotations/validate.js';
import { headerList, longOrigins, mostOriginsThatFit } from '../../fixtures/long-values.js';

describe('corsOriginRegex', () => {
  test('matches the listed origins exactly, `*.` standing for one label', () => {
    const regex = new RegExp(corsOriginRegex(['https://a.example.com', 'https://*.example.org:8443']), 'i');
    expect(['https://a.example.com', 'https://x.example.org:8443'].map((o) => regex.test(o))).toEqual([true, true]);
    expect(['https://aXexample.com', 'https://x.y.example.org:8443', 'https://a.example.com.evil'].map((o) => regex.test(o))).toEqual([false, false, false]);
  });
});

describe('cors-allow-origin: at most what renders as one nginx parameter', () => {
  const fit = mostOriginsThatFit();

  test('the longest list that fits is accepted', () => {
    expect(checkAnnotationValue('cors-allow-origin', longOrigins(fit).join(',')).ok).toBe(true);
  });

  test('one origin more is refused, saying why and what to do instead', () => {
    const raw = longOrigins(fit + 1).join(',');
    expect(raw.length).toBeLessThan(8192); // within the raw length cap: only the rendered length refuses it
    const length = corsOriginRegex(longOrigins(fit + 1)).length;
    expect(checkAnnotationValue('cors-allow-origin', raw)).toEqual({
      ok: false,
      reason: `the origins make one regex ${length} characters long in nginx.conf; nginx reads at most 4093 per parameter; list fewer origins or cover subdomains with one https://*.example.com`,
    });
  });
});

describe('cors-allow-headers and cors-expose-headers: at most one nginx parameter', () => {
  test.for(['cors-allow-headers', 'cors-expose-headers'])('%s of 4093 characters is accepted, 4094 refused', (key) => {
    expect(headerList(4093)).toHaveLength(4093);
    expect(checkAnnotationValue(key, headerList(4093)).ok).toBe(true);
    expect(checkAnnotationValue(key, headerList(4094))).toEqual({ ok: false, reason: 'is 4094 characters long; at most 4093 are allowed' });
  });
});
