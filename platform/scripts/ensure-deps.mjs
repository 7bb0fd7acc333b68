// Installs dependencies when node_modules is missing or older than package-lock.json, so `npm start` and
// `npm test` work on a fresh clone with no separate install step. Plain Node: nothing to import yet.
//
// `npm install`, not `npm ci`: the registry mirror these machines use has no binaries for some other
// platforms (e.g. @biomejs/cli-win32-x64 is a 404), so npm leaves those optional packages out of the
// lock file and `npm ci` then refuses the lock as out of sync. `npm install` honours the locked versions.
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const stamp = 'node_modules/.package-lock.json';
const stale = !existsSync(stamp) || statSync(stamp).mtimeMs < statSync('package-lock.json').mtimeMs;
if (stale) {
  console.log('Installing dependencies (npm install from package-lock.json)...');
  execSync('npm install --no-audit --no-fund', { stdio: 'inherit' });
}
