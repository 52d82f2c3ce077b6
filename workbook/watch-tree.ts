// Seeing every save under a folder. Node 20's recursive fs.watch on Linux watches each file it
// found, so a file an editor saved by writing a new one and renaming it over (vim, JetBrains,
// sed -i) is watched no more: its next save goes unseen. A watch on each folder, not
// recursive, is told of any change to any file in it, whatever its inode.

import { existsSync, readdirSync, statSync, watch, type FSWatcher } from 'node:fs';
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
  // Each folder's watch, with the folder's inode: a folder made again in the same place is another.
  const watchers = new Map<string, { watcher: FSWatcher; inode: number }>();
  // A file is watched through its folder, which sees it however it is saved.
  const only = statSync(root).isDirectory() ? undefined : basename(root);
  const base = only === undefined ? root : dirname(root);
  // A folder removed: its watches go, so that one made again in its place is watched anew.
  const forget = (folder: string) => {
    for (const [path, { watcher }] of watchers) {
      if (path === folder || path.startsWith(join(folder, sep))) {
        watcher.close();
        watchers.delete(path);
      }
    }
  };
  const add = (folder: string) => {
    // A folder gone again by now (a burst of changes) is left to the event that says so.
    const inode = statSync(folder, { throwIfNoEntry: false })?.ino;
    if (inode === undefined || watchers.get(folder)?.inode === inode) return;
    forget(folder); // its removal may be told after it was made again
    const watcher = watch(folder, (_event, name) => {
      if (name === null || (only !== undefined && name.toString() !== only)) return;
      const path = join(folder, name.toString());
      const stats = statSync(path, { throwIfNoEntry: false });
      // The folder itself removed (told by its name): made again since, with its inode perhaps reused, it is watched anew.
      if (stats === undefined && name.toString() === basename(folder)) {
        forget(folder);
        if (existsSync(folder)) addTree(folder, true);
        return;
      }
      if (stats?.isDirectory()) {
        if (only === undefined && !name.toString().startsWith('.') && name.toString() !== 'node_modules') addTree(path, true);
      } else {
        if (stats === undefined && watchers.has(path)) forget(path);
        else onChange(relative(base, path));
      }
    });
    watcher.on('error', () => forget(folder));
    watchers.set(folder, { watcher, inode });
  };
  // `fresh`: a folder just made, whose files may have been written before its watch began.
  const addTree = (folder: string, fresh = false) => {
    add(folder);
    let entries;
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      return; // gone already
    }
    for (const entry of entries) {
      if (entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'node_modules') addTree(join(folder, entry.name), fresh);
      else if (fresh && entry.isFile()) onChange(relative(base, join(folder, entry.name)));
    }
  };
  if (only === undefined) addTree(root);
  else add(base);
  return {
    close() {
      for (const { watcher } of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}
