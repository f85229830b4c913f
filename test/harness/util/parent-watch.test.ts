import t from 'tap';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const PARENT_WATCH = fileURLToPath(new URL('../../../harness/util/parent-watch.js', import.meta.url));

const alive = (pid: number): boolean => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

void t.test('a child with the preload stops when its parent dies by SIGKILL', async (t) => {
  // parent: starts the watched child, prints its pid, then waits to be killed.
  const parentScript = `
    const { spawn } = require('node:child_process');
    const c = spawn(process.execPath, ['--import', ${JSON.stringify(PARENT_WATCH)}, '-e', 'setInterval(() => {}, 1000)'], {
      env: { ...process.env, HARNESS_PARENT_PID: String(process.pid) }, stdio: 'ignore' });
    console.log(c.pid);
    setInterval(() => {}, 1000);
  `;
  const parent = spawn(process.execPath, ['-e', parentScript], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => parent.kill('SIGKILL'));
  const childPid = await new Promise<number>((resolve) => parent.stdout.once('data', (b: Buffer) => resolve(Number(b.toString().trim()))));
  t.teardown(() => {
    try {
      process.kill(childPid, 'SIGKILL');
    } catch {
      // gone, as it should be
    }
  });
  await sleep(700);
  t.ok(alive(childPid), 'the child runs while its parent lives');
  parent.kill('SIGKILL');
  let waited = 0;
  while (alive(childPid) && waited < 5000) {
    await sleep(50);
    waited += 50;
  }
  t.notOk(alive(childPid), 'the child is gone after its parent was killed');
});
