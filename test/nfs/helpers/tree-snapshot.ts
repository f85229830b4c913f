// A byte-for-byte picture of a directory tree (types, modes, owners, contents, link targets,
// mtimes), to prove that nothing outside the export was created, changed or removed.
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';

export async function snapshotTree(root: string): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  const walk = async (path: string, relative: string): Promise<void> => {
    const stats = await lstat(path);
    const head = `${stats.mode.toString(8)} ${stats.uid}:${stats.gid} mtime=${stats.mtimeMs}`;
    if (stats.isSymbolicLink()) {
      result[relative] = `${head} -> ${await readlink(path)}`;
    } else if (stats.isDirectory()) {
      result[relative] = `${head} dir`;
      for (const entry of (await readdir(path)).sort()) await walk(join(path, entry), `${relative}/${entry}`);
    } else {
      result[relative] = `${head} ${(await readFile(path)).toString('base64')}`;
    }
  };
  await walk(root, '.');
  return result;
}
