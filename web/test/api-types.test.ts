import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../functions/api-docs/openapi.ts';
import { renderApiTypes, typesFile } from '../scripts/api-types.mjs';

/**
 * The web's API types are generated from the OpenAPI document (web/scripts/gen-api-types.mjs, run by the
 * web build). The committed copy must be what the document renders to now: a route, field or enum value
 * changed in the catalog without regenerating fails here, before it can fail in a browser.
 */
describe('web/lib/api-types.gen.ts', () => {
  it('matches the OpenAPI document the server builds (run `npm run gen:web-types` when it does not)', async () => {
    const fresh = (await renderApiTypes(buildOpenApiDocument())).split('\n');
    const committed = readFileSync(typesFile, 'utf8').split('\n');
    const at = committed.findIndex((line, i) => line !== fresh[i]);
    const stale = at >= 0 || committed.length !== fresh.length;
    const where =
      at >= 0 ? `line ${at + 1}: ${JSON.stringify(committed[at])} ≠ ${JSON.stringify(fresh[at])}` : '';
    expect(stale, `web/lib/api-types.gen.ts is stale (${where})`).toBe(false);
  });
});
