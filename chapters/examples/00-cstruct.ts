// The header of chapter 2, laid out as a C compiler would, with and without `char data[1]`.
import { cstruct } from '../../machine/index.ts';

const BlockMeta = cstruct({ size: 'size_t', next: 'ptr', free: 'i32', magic: 'i32' });
const WithData = cstruct({ size: 'size_t', next: 'ptr', free: 'i32', magic: 'i32', data: 'u8[1]' });

for (const [name, struct] of [['block_meta', BlockMeta], ['block_meta + data[1]', WithData]] as const) {
  const fields = struct.fields.map((f) => `${f.name}@${f.offset}`).join(' ');
  console.log(`${name.padEnd(22)} sizeof ${String(struct.sizeof).padEnd(4)} ${fields}`);
}
