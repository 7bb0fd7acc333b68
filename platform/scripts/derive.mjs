// `npm run derive`: platform/derive/main.ts under plain Node (see run-ts.mjs). It needs helm, which
// comes from platform/engines/get-k8s-tools.sh (built once and cached).
import { importTs } from './run-ts.mjs';

await importTs('platform/derive/main.ts');
