// Reads the real Sunshine replies of test/fixtures/sunshine/ through our own HTTP parser.
import { readFileSync } from 'node:fs';
import { createResponseParser } from '../../../src/nvhttp/http-response-parser.ts';

export const SUNSHINE_VERSIONS = ['v0.23.1', 'v2026.817'] as const;

/** The raw HTTP response bytes of a fixture. */
export function fixtureResponse(version: string, name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`../../fixtures/sunshine/${version}/${name}.response`, import.meta.url)));
}

/** The body of a fixture's HTTP response. */
export function fixtureBody(version: string, name: string): Uint8Array {
  const p = createResponseParser({ maxBodyBytes: 1 << 20 }).push(fixtureResponse(version, name));
  if (p.kind !== 'done') throw new Error(`fixture ${version}/${name} does not parse: ${JSON.stringify(p)}`);
  return p.response.body;
}
