// The simulated process. Allocators import everything they need from here.

export { Process, type ProcessOptions, type ProcessStats, type SyscallName, type WaitResult } from './process.ts';
export { MAX_MAPPINGS, type SharedProcessHandle } from './shared.ts';
export { cstruct, type CStruct, type FieldType, type StructFields, type StructView } from './cstruct.ts';
export { SegmentationFault, HeapCorruption, OutOfPhysicalMemory, BusError, Deadlock, RunawayLoop, type Mapping, type AccessKind } from './errors.ts';
export { hex, formatBytes } from './format.ts';
export * from './constants.ts';
export { requireSize, alignUp, type Allocator, type CreateAllocator } from './allocator.ts';
