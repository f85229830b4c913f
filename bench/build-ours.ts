// Ours as the image runs it: lib/ compiled to dist/ (the same `tsc -p tsconfig.build.json` as
// npm run build and the Dockerfile), then node dist/main.js. Running lib/main.ts instead makes
// Node load its TypeScript stripper, about 30 MiB of RSS that no deployment carries.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Compiles lib/ to dist/ and returns the path of dist/main.js; throws with tsc's output. */
export function buildOurs(): string {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm run build failed:\n${r.stdout}${r.stderr}`);
  return fileURLToPath(new URL('../dist/main.js', import.meta.url));
}
