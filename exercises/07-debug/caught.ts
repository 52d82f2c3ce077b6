// The error a call throws, for tests that read its message and fields: a debugging tool's
// whole output is its error.

export function caught(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    if (error instanceof Error) return error;
    throw error;
  }
  throw new Error('expected an error, but the call returned');
}
