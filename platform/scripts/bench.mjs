// `npm run bench`: functions/bench/main.ts under plain Node (see run-ts.mjs, which keeps each file's
// import.meta.url, so the engine scripts and the function bundles in dist/ are found from it).
import { importTs } from './run-ts.mjs';

await importTs('functions/bench/main.ts');
