// Chapter 5, step 1: which scale a request belongs to, and how many quanta its block takes.
import { describe, expect, it } from 'vitest';
import { loadExercise } from '../../workbook/target.ts';

const { PRESETS, quantaFor, scaleOf, sizeClassOf } = await loadExercise<typeof import('./size-classes.ts')>('05-zones/size-classes.ts');

/** [request, scale, quanta] with today's macOS thresholds. */
const MACOS: Array<[number, 'tiny' | 'small' | 'large', number]> = [
  [0, 'tiny', 1],
  [1, 'tiny', 1],
  [16, 'tiny', 1],
  [17, 'tiny', 2],
  [1008, 'tiny', 63],
  [1009, 'small', 2],
  [1024, 'small', 2],
  [1025, 'small', 3],
  [32768, 'small', 64],
  [32769, 'large', 9],
  [1024 * 1024, 'large', 256],
];

describe('scaleOf', () => {
  it('puts each limit in the scale below it (macos: tiny up to 1008, small up to 32768)', () => {
    for (const [size, scale] of MACOS) expect(scaleOf(size), `scaleOf(${size})`).toBe(scale);
  });

  it('takes the thresholds of the other presets', () => {
    const cases: Array<[keyof typeof PRESETS, number, string]> = [
      ['32-bit', 496, 'tiny'],
      ['32-bit', 497, 'small'],
      ['32-bit', 15359, 'small'],
      ['32-bit', 15360, 'large'],
      ['32-bit-1gb', 496, 'tiny'],
      ['32-bit-1gb', 127 * 1024 - 1, 'small'],
      ['32-bit-1gb', 127 * 1024, 'large'],
    ];
    for (const [preset, size, scale] of cases) expect(scaleOf(size, PRESETS[preset]), `scaleOf(${size}, PRESETS['${preset}'])`).toBe(scale);
    expect(scaleOf(600, { tinyLimit: 512, smallLimit: 4096 }), 'any thresholds, not only the presets').toBe('small');
  });
});

describe('quantaFor', () => {
  it('rounds up to whole quanta, and gives malloc(0) one quantum', () => {
    const cases: Array<[number, number, number]> = [
      [0, 16, 1],
      [1, 16, 1],
      [16, 16, 1],
      [17, 16, 2],
      [1008, 16, 63],
      [1009, 512, 2],
      [512, 512, 1],
      [513, 512, 2],
      [32769, 4096, 9],
    ];
    for (const [size, quantum, quanta] of cases) expect(quantaFor(size, quantum), `quantaFor(${size}, ${quantum})`).toBe(quanta);
  });
});

describe('sizeClassOf', () => {
  it('gives the scale and the quanta of that scale: 16 bytes, 512 bytes or a page', () => {
    for (const [size, scale, msize] of MACOS) expect(sizeClassOf(size), `sizeClassOf(${size})`).toEqual({ scale, msize });
  });

  it('uses the thresholds it is given', () => {
    expect(sizeClassOf(497, PRESETS['32-bit']), '497 bytes are small on 32-bit macOS: one 512-byte quantum').toEqual({ scale: 'small', msize: 1 });
    expect(sizeClassOf(15360, PRESETS['32-bit']), '15 KiB are large there: four pages').toEqual({ scale: 'large', msize: 4 });
  });
});
