// The pictures a `<!-- debug-view: NAME -->` marker can ask for: named here, apart from the
// model that runs the debug zone, so that the markdown parser can name them in its messages.

export const DEBUG_VIEWS = ['scribble', 'guard-edges'] as const;
export type DebugViewName = (typeof DEBUG_VIEWS)[number];

export const isDebugView = (name: string): name is DebugViewName => (DEBUG_VIEWS as readonly string[]).includes(name);

/** How a debug view's marker is written, with each picture it can name. */
export const DEBUG_VIEW_MARKERS = DEBUG_VIEWS.map((name) => `<!-- debug-view: ${name} -->`).join(' or ');
