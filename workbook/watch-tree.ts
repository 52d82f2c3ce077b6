// Seeing every save under a folder. Node 20's recursive fs.watch on Linux watches each file it
// found, so a file an editor saved by writing a new one and renaming it over (vim, JetBrains,
// sed -i) is watched no more: its next save goes unseen. A watch on each folder, not
// recursive, is told of any change to any file in it, whatever its inode.

import { readdirSync, statSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';

export interface TreeWatcher {
  close(): void;
}

/**
 * Calls `onChange` with the path (from `root`'s folder for a file, from `root` for a folder) of
 * each file changed, added or removed under `root`; folders made later are watched as they
 * appear. Hidden folders and node_modules are left out.
 */
export function watchTree(root: string, onChange: (file: string) => void): TreeWatcher {
  const watchers = new Map<string, FSWatcher>();
  // A file is watched through its folder, which sees it however it is saved.
  const only = statSync(root).isDirectory() ? undefined : basename(root);
  const base = only === undefined ? root : dirname(root);
  // A folder removed: its watches go, so that one made again in its place is watched anew.
  const forget = (folder: string) => {
    for (const [path, watcher] of watchers) {
      if (path === folder || path.startsWith(join(folder, sep))) {
        watcher.close();
        watchers.delete(path);
      }
    }
  };
  const add = (folder: string) => {
    if (watchers.has(folder)) return;
    const watcher = watch(folder, (_event, name) => {
      if (name === null || (only !== undefined && name.toString() !== only)) return;
      const path = join(folder, name.toString());
      const stats = statSync(path, { throwIfNoEntry: false });
      if (stats?.isDirectory()) {
        if (only === undefined && !name.toString().startsWith('.') && name.toString() !== 'node_modules') addTree(path, true);
      } else {
        if (stats === undefined && watchers.has(path)) forget(path);
        else onChange(relative(base, path));
      }
    });
    watcher.on('error', () => forget(folder));
    watchers.set(folder, watcher);
  };
  // `fresh`: a folder just made, whose files may have been written before its watch began.
  const addTree = (folder: string, fresh = false) => {
    add(folder);
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'node_modules') addTree(join(folder, entry.name), fresh);
      else if (fresh && entry.isFile()) onChange(relative(base, join(folder, entry.name)));
    }
  };
  if (only === undefined) addTree(root);
  else add(base);
  return {
    close() {
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}
