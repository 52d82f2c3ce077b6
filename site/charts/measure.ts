// Measures charts in a process of its own: `node --import tsx site/charts/measure.ts ROOT NAME…`
// prints their numbers as one JSON object.

import { CHARTS } from './index.ts';

const [root, ...names] = process.argv.slice(2);
const out: Record<string, unknown> = {};
for (const name of names) out[name] = CHARTS[name].measure(root);
process.stdout.write(JSON.stringify(out));
