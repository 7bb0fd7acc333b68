// Installs dependencies when node_modules is missing or older than package-lock.json, so `npm start` and
// `npm test` work on a fresh clone with no separate install step. Plain Node: nothing to import yet.
//
// `npm ci`: exactly what package-lock.json says, the same install as CI and the images; it fails when the
// lock is out of step with package.json (then run `npm install`, which updates the lock, and commit it).
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const stamp = 'node_modules/.package-lock.json';
const stale = !existsSync(stamp) || statSync(stamp).mtimeMs < statSync('package-lock.json').mtimeMs;
if (stale) {
  console.log('Installing dependencies (npm ci, from package-lock.json)...');
  execSync('npm ci --no-audit --no-fund', { stdio: 'inherit' });
}
