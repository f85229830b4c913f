// Bad configuration, as an operator would get it wrong in the Deployment: the process exits with
// code 2 and one clear line on stderr naming the variable or path, and no stack trace; it
// touches nothing.
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import t from 'tap';
import { setupE2E } from './helpers/e2e.ts';

void t.test('bad configuration: exit 2, one clear line, no stack trace', async (t) => {
  const e2e = await setupE2E(t);
  const file = join(e2e.root, 'not-a-directory');
  writeFileSync(file, 'x');
  const cases: { what: string; env: Record<string, string>; names: RegExp }[] = [
    { what: 'PROVISIONER_NAME missing', env: { PROVISIONER_NAME: '' }, names: /PROVISIONER_NAME/ },
    { what: 'NFS_SERVER missing', env: { NFS_SERVER: '' }, names: /NFS_SERVER/ },
    { what: 'NFS_PATH relative', env: { NFS_PATH: 'ifs/kubernetes' }, names: /NFS_PATH.*ifs\/kubernetes|ifs\/kubernetes.*NFS_PATH/ },
    { what: 'NFS_MOUNT_PATH missing on disk', env: { NFS_MOUNT_PATH: join(e2e.root, 'nowhere') }, names: /NFS_MOUNT_PATH.*nowhere/ },
    { what: 'NFS_MOUNT_PATH a file', env: { NFS_MOUNT_PATH: file }, names: /NFS_MOUNT_PATH.*not-a-directory/ },
    { what: 'ENABLE_LEADER_ELECTION not a boolean', env: { ENABLE_LEADER_ELECTION: 'maybe' }, names: /ENABLE_LEADER_ELECTION.*maybe/ },
    { what: 'LOG_LEVEL unknown', env: { LOG_LEVEL: 'verbose' }, names: /LOG_LEVEL.*verbose/ },
  ];
  await Promise.all(
    cases.map((c) =>
      t.test(c.what, async (t) => {
        const proc = await e2e.provisioner({ env: c.env }, false);
        const status = await proc.exited;
        t.equal(status.code, 2, 'exit code 2');
        const stderr = proc.logs.filter((l) => l.stream === 'stderr' && l.text.trim() !== '').map((l) => l.text);
        t.equal(stderr.length, 1, `one line on stderr: ${stderr.join(' | ')}`);
        t.match(stderr[0] ?? '', c.names, 'it names the variable (and value or path)');
        const all = proc.logs.map((l) => l.text).join('\n');
        t.notMatch(all, /^\s+at .+[:(]\d+:\d+\)?$/m, 'no stack trace');
        t.notMatch(all, /Error:|ERR_/, 'no raw error dump');
      }),
    ),
  );
  t.same(await e2e.exportTree(), [], 'nothing written to the export');
  await e2e.checkSentinel(t);
});
