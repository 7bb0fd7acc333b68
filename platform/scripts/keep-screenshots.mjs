// `npm run screenshots`: the browser tests write web/screenshots/<name>.tmp.png on every run (ignored by
// git, so a test run never dirties the tree); this keeps the latest of the ones the README shows, i.e.
// every <name>.png already committed, from its fresh <name>.tmp.png. Run it after `npm test`.
import { copyFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const dir = new URL('../../web/screenshots/', import.meta.url).pathname;
const kept = readdirSync(dir).filter((f) => f.endsWith('.png') && !f.endsWith('.tmp.png'));
let updated = 0;
for (const file of kept) {
  const fresh = join(dir, file.replace(/\.png$/, '.tmp.png'));
  if (!existsSync(fresh)) {
    console.warn(`no fresh ${fresh}: run the browser tests first (npm test)`);
    continue;
  }
  copyFileSync(fresh, join(dir, file));
  updated++;
}
console.log(`updated ${updated} of ${kept.length} screenshots in web/screenshots/`);
