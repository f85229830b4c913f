// Start-up of the exports, for main.ts: one NfsExport per configured export (own slots, timeout
// and metrics hooks), each checked before anything else starts. A missing, non-directory or
// unwritable mount is a configuration error (exit 2, one line naming the export and field); an
// export that does not answer or is full is only logged: the process starts, that export counts
// as unhealthy until a probe passes, and the other exports are served meanwhile.
import type { Config } from './config.ts';
import { exportFieldError } from './export-config.ts';
import type { Logger } from './logger.ts';
import { NfsExport } from './nfs/index.ts';
import type { ExportMetrics } from './nfs/index.ts';

export async function openExports(config: Config, metrics: ExportMetrics, logger: Logger): Promise<NfsExport[]> {
  const exports = config.exports.map(
    (e) =>
      new NfsExport({
        name: e.name,
        server: e.server,
        path: e.path,
        mountPath: e.mountPath,
        provisionerNames: e.provisionerNames,
        fsTimeoutMs: e.fsTimeoutMs,
        fsConcurrency: e.fsConcurrency,
        observer: metrics.observer(e.name),
      }),
  );
  metrics.track(exports);
  const checks = await Promise.all(exports.map((e) => e.checkAtStart()));
  for (const [index, check] of checks.entries()) {
    const exported = exports[index];
    if (check.ok || exported === undefined) continue;
    if (check.fatal) throw exportFieldError(exported.name, 'mountPath', check.problem, config.exportsFile);
    metrics.setState(exported.name, check.state);
    logger.error('export is not usable at start; starting anyway, its claims wait until it answers', {
      export: exported.name,
      state: check.state,
      reason: check.problem,
    });
  }
  return exports;
}
