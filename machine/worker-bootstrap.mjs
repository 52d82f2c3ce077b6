// The first script of a worker started by startWorker (workers.ts): Node cannot start a
// worker on a .ts file, so the worker starts here and loads its TypeScript module through
// tsx, whose URL startWorker passes as the worker's first argument.
import { tsImport } from 'tsx/esm/api';

await tsImport(process.argv[2], import.meta.url);
