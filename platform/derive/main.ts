// `npm run derive`: rewrite every file derived from functions/catalog.ts (chart data, keda/, platform/k8s).
import { writeGenerated } from './generate.ts';

const written = await writeGenerated();
console.log(`derive: wrote ${written.length} files:\n  ${written.join('\n  ')}`);
