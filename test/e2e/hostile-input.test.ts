// Hostile input, end to end: label and annotation values used in pathPattern holding `../`,
// `/etc/passwd`, `..`, control characters, 10 000 characters, unicode; patterns that try to leave
// the export; claim names and namespaces at their maximum length; symlinks planted inside the
// export (as a path component, inside a volume, and in place of a volume) pointing at the
// sentinel. Each claim ends in a safe directory strictly inside the export or in a clear
// ProvisioningFailed / VolumeFailedDelete event; the sentinel beside the export stays
// byte-identical and the provisioner stays up and ready.
import { existsSync, lstatSync, realpathSync, renameSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { requireClusterOrSkip } from '../../harness/cluster-choice.ts';
import type { Test } from 'tap';
import { DIRECTORY_ANNOTATION, eventually, setupE2E } from './helpers/e2e.ts';
import type { ClaimSpecOptions, E2E } from './helpers/e2e.ts';

interface Case {
  name: string;
  what: string;
  claim: ClaimSpecOptions;
  /**
   * The directory expected (relative to the export), or a pattern for it: patterns say what must
   * hold (one component per pattern level, the value's text kept, the claim name last) without
   * pinning the escape characters of the sanitizing scheme.
   */
  directory?: string | RegExp;
  /** Refused: the ProvisioningFailed message must match. */
  refused?: RegExp;
}

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/** Every component of dir below the export is a real directory (no symlink) and it resolves inside. */
function assertConfined(t: Test, e2e: E2E, directory: string): void {
  const root = realpathSync(e2e.exportDir);
  let current = e2e.exportDir;
  for (const component of directory.split('/')) {
    t.ok(bytes(component) <= 255, `component of ${bytes(component)} bytes fits NAME_MAX`);
    t.notOk(component === '' || component === '.' || component === '..', `plain component "${component.slice(0, 40)}"`);
    // eslint-disable-next-line no-control-regex -- control characters must not reach a file name
    t.notMatch(component, /[\u0000-\u001f\u007f]/, 'no control characters');
    current = join(current, component);
    const stats = lstatSync(current);
    t.ok(stats.isDirectory() && !stats.isSymbolicLink(), `${component.slice(0, 40)} is a real directory`);
  }
  t.ok(realpathSync(current).startsWith(`${root}/`), 'resolves strictly inside the export');
}

void t.test('hostile input never leaves the export and never crashes the provisioner', async (t) => {
  if (!requireClusterOrSkip(t)) return;
  const e2e = await setupE2E(t);
  const { core, exportDir, sentinelDir } = e2e;
  const provisioner = await e2e.provisioner();

  // Symlinks planted in the export root, as a tenant with access to the export could.
  symlinkSync('../sentinel', join(exportDir, 'evil'));
  symlinkSync(sentinelDir, join(exportDir, 'abs-link'));

  const longNamespace = 'n'.repeat(63);
  const longName = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
  await core.createNamespace({ body: { metadata: { name: longNamespace } } });
  await Promise.all([
    e2e.createClass('by-annotation', { pathPattern: '${.PVC.annotations.path}/${.PVC.name}', onDelete: 'delete' }),
    e2e.createClass('by-label', { pathPattern: '${.PVC.labels.team}/${.PVC.name}' }),
    e2e.createClass('escape-pattern', { pathPattern: '../${.PVC.name}' }),
    e2e.createClass('absolute-pattern', { pathPattern: '/etc/${.PVC.name}' }),
    e2e.createClass('plain'),
    e2e.createClass('by-namespace', { pathPattern: '${.PVC.namespace}/${.PVC.annotations.path}', onDelete: 'delete' }),
  ]);

  const ann = (path: string): ClaimSpecOptions => ({ storageClassName: 'by-annotation', annotations: { path } });
  const label = (team: string): ClaimSpecOptions => ({ storageClassName: 'by-label', labels: { team } });
  const longValue = 'x'.repeat(10_000);
  const cases: Case[] = [
    { name: 'up-twice', what: 'annotation "../../sentinel"', claim: ann('../../sentinel'), directory: /^[^/]*\.\.[^/]*\.\.[^/]*sentinel\/up-twice$/ },
    { name: 'etc-passwd', what: 'annotation "/etc/passwd"', claim: ann('/etc/passwd'), directory: /^[^/]*etc[^/]*passwd\/etc-passwd$/ },
    { name: 'dotdot', what: 'annotation ".."', claim: ann('..'), directory: /^[^/]+\/dotdot$/ },
    { name: 'dot', what: 'annotation "."', claim: ann('.'), directory: /^[^/]+\/dot$/ },
    { name: 'control', what: 'annotation with newline and NUL', claim: ann('a\nb\u0000c'), directory: /^a[^/]*b[^/]*c\/control$/ },
    { name: 'empty', what: 'empty annotation', claim: ann(''), directory: /^([^/]+\/)?empty$/ },
    { name: 'unicode', what: 'unicode annotation', claim: ann('データ/ü🚀\u202e'), directory: /^データ[^/]*ü🚀\u202e\/unicode$/ },
    { name: 'long', what: '10 000-character annotation', claim: ann(longValue), directory: /^x+-[0-9a-f]{16}\/long$/ },
    { name: 'long-unicode', what: '10 000 emoji annotation', claim: ann('🚀'.repeat(10_000)), directory: /^(🚀)+-[0-9a-f]{16}\/long-unicode$/ },
    { name: 'via-link', what: 'annotation naming a symlink to the sentinel', claim: ann('evil'), refused: /symlink/ },
    { name: 'via-abs-link', what: 'annotation naming an absolute symlink', claim: ann('abs-link'), refused: /symlink/ },
    // Label values cannot hold '/' or start or end with '.' (the API server refuses them, checked
    // below); the closest a label gets is dots inside a value.
    { name: 'label-dots', what: 'label "x..y"', claim: label('x..y'), directory: 'x..y/label-dots' },
    { name: 'escape', what: 'pathPattern "../${.PVC.name}"', claim: { storageClassName: 'escape-pattern' }, refused: /\.\./ },
    { name: 'absolute', what: 'pathPattern "/etc/${.PVC.name}"', claim: { storageClassName: 'absolute-pattern' }, directory: 'etc/absolute' },
    {
      name: longName,
      what: 'claim name of 253 and namespace of 63 characters',
      claim: { storageClassName: 'plain', namespace: longNamespace },
      directory: /^n{63}-a{63}\.b{63}\.c+-[0-9a-f]{16}$/,
    },
    {
      name: longName,
      what: 'max-length names with a 10 000-character annotation',
      claim: { ...ann(longValue), namespace: 'default' },
      directory: new RegExp(`^x+-[0-9a-f]{16}/${longName.replace(/\./g, '\\.')}$`),
    },
  ];

  for (const c of cases) await e2e.createClaim(c.name, c.claim);

  await t.test('label values that would climb out are refused by the API server itself', async (t) => {
    for (const [i, value] of ['../', '..', '../../../../etc', 'a/b'].entries()) {
      const refused = await e2e.createClaim(`label-refused-${String(i)}`, label(value)).then(
        () => undefined,
        (error: unknown) => error,
      );
      t.equal((refused as { code?: number } | undefined)?.code, 422, `label ${JSON.stringify(value)}: 422 Invalid`);
    }
  });

  const bound = new Map<Case, { pvName: string; directory: string }>();
  for (const c of cases) {
    const namespace = c.claim.namespace ?? 'default';
    await t.test(c.what, async (t) => {
      if (c.refused) {
        const event = await e2e.waitEvent({ name: c.name, namespace, reason: 'ProvisioningFailed' });
        t.match(event.message, c.refused, `refused with a clear reason: ${event.message ?? ''}`);
        const pvs = await core.listPersistentVolume();
        t.notOk(pvs.items.some((pv) => pv.spec?.claimRef?.name === c.name && pv.spec.claimRef.namespace === namespace), 'no PV');
        return;
      }
      const { pv } = await e2e.waitBound(c.name, namespace);
      const directory = pv.metadata?.annotations?.[DIRECTORY_ANNOTATION] ?? '';
      if (typeof c.directory === 'string') t.equal(directory, c.directory, 'the expected safe directory');
      else t.match(directory, c.directory ?? /./, `a safe directory: ${directory.slice(0, 80)}…`);
      t.equal(pv.spec?.nfs?.path, `${exportDir}/${directory}`, 'PV path is NFS_PATH/<directory>');
      assertConfined(t, e2e, directory);
      bound.set(c, { pvName: pv.metadata?.name ?? '', directory });
    });
  }

  await t.test('deterministic: the same hostile value always maps to the same directory', async (t) => {
    // Another class, so the two volumes do not share a directory; the shortened component must match.
    await e2e.createClaim('long', { storageClassName: 'by-namespace', annotations: { path: longValue }, namespace: longNamespace });
    const { pv } = await e2e.waitBound('long', longNamespace);
    const first = [...bound].find(([c]) => c.name === 'long')?.[1].directory.split('/')[0];
    t.equal(pv.metadata?.annotations?.[DIRECTORY_ANNOTATION], `${longNamespace}/${first ?? ''}`, 'same shortened component for the same value');
  });

  await t.test('a symlink inside a volume does not make delete follow it', async (t) => {
    const victim = [...bound].find(([c]) => c.name === 'etc-passwd')?.[1];
    if (!victim) throw new Error('etc-passwd was not bound');
    symlinkSync(sentinelDir, join(exportDir, victim.directory, 'to-sentinel'));
    symlinkSync(join(sentinelDir, 'secret.txt'), join(exportDir, victim.directory, 'secret-link'));
    await e2e.deleteClaim('etc-passwd');
    await e2e.waitPvGone(victim.pvName);
    t.notOk(existsSync(join(exportDir, victim.directory)), 'the volume (onDelete delete) is gone, links and all');
  });

  await t.test('a volume swapped for a symlink to the sentinel is not deleted through it', async (t) => {
    const victim = [...bound].find(([c]) => c.name === 'dotdot')?.[1];
    if (!victim) throw new Error('dotdot was not bound');
    const path = join(exportDir, victim.directory);
    renameSync(path, `${path}.moved`);
    symlinkSync(sentinelDir, path);
    await e2e.deleteClaim('dotdot');
    const event = await e2e.waitEvent({ name: victim.pvName, reason: 'VolumeFailedDelete', kind: 'PersistentVolume' });
    t.match(event.message, /symlink/, `refused with a clear reason: ${event.message ?? ''}`);
    t.ok(lstatSync(path).isSymbolicLink(), 'the link itself is left for a human');
  });

  await t.test('the rest reclaims inside the export', async (t) => {
    const rest = [...bound].filter(([c]) => c.name !== 'etc-passwd' && c.name !== 'dotdot');
    for (const [c] of rest) await e2e.deleteClaim(c.name, c.claim.namespace ?? 'default');
    await e2e.deleteClaim('long', longNamespace);
    for (const [, v] of rest) await e2e.waitPvGone(v.pvName);
    for (const [c, v] of rest) {
      const archive = c.claim.storageClassName !== 'by-annotation';
      t.notOk(existsSync(join(exportDir, v.directory)), `${c.what}: ${archive ? 'archived' : 'deleted'}`);
    }
    // The archive of the longest default name is shortened too, still inside the export.
    const archived = (await e2e.exportTree()).filter((p) => /^archived-n{63}/.test(p));
    t.equal(archived.length, 1, 'the max-length claim was archived');
    t.ok(bytes(archived[0] ?? '') <= 255, 'its archive name fits NAME_MAX');
  });

  await t.test('the provisioner is still up and ready', async (t) => {
    t.equal((await fetch(`${provisioner.httpUrl}/readyz`)).status, 200, '/readyz 200');
    t.notOk(provisioner.logs.some((l) => /uncaught|unhandled/i.test(l.text)), 'no uncaught error logged');
    const exited = await Promise.race([provisioner.exited, eventually('a moment', () => true)]);
    t.equal(exited, true, 'process has not exited');
  });

  await e2e.checkSentinel(t);
});
