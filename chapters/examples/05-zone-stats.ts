// npm run zone-stats, as the chapter shows it: a fresh zone, one malloc, the statistics of each
// scale. Today's thresholds first, then the old 32-bit ones (the preset), with the sizes of the
// classic example.
import { parseOptions } from '../../workbook/commands/options.ts';
import { zoneStats } from '../../workbook/commands/zone-stats.ts';

for (const args of [['1008', '1009', '32768', '32769'], ['496', '497', '15360', '--option', 'preset=32-bit']]) {
  console.log(`$ npm run zone-stats -- ${args.join(' ')}\n`);
  await zoneStats(parseOptions(args));
}
