// The control-plane stand-ins in one handle, like kube-controller-manager: shared caches over one
// API client (User-Agent harness-controller-manager), each controller small and separate, each
// enabled by default and switchable off for tests that want to play its part themselves.
import type { Controller, ControllerContext, ControllerLog } from './controller-context.ts';
import { createDefaultClassController } from './default-class-controller.ts';
import { createSharedInformers } from './informers.ts';
import type { SharedInformers } from './informers.ts';
import { CONTROLLER_USER_AGENT, makeControllerClients } from './kube-clients.ts';
import type { ControllerClients } from './kube-clients.ts';
import { createProtectionController } from './protection-controller.ts';
import { createPvController } from './pv-controller.ts';
import { createStatefulSetController } from './statefulset-controller.ts';

export { markScheduled } from './mark-scheduled.ts';
export { CONTROLLER_USER_AGENT } from './kube-clients.ts';
export { externalProvisioningMessage, PV_CONTROLLER_COMPONENT } from './pv-controller.ts';
export type { Controller, ControllerLog } from './controller-context.ts';

export interface ControllerSelection {
  /** PV binder: provisioner annotations, binding, phases, release. */
  pv?: boolean;
  /** pvc-protection and pv-protection finalizers. */
  protection?: boolean;
  /** Retroactive default StorageClass assignment. */
  defaultClass?: boolean;
  /** Claims from StatefulSet volumeClaimTemplates. */
  statefulSet?: boolean;
}

export interface StartControllersOptions {
  kubeconfigPath: string;
  enable?: ControllerSelection;
  userAgent?: string;
  /** Full re-examination period (default 15 s, Kubernetes' PV binder period). */
  resyncMs?: number;
  log?: ControllerLog;
}

export interface RunningControllers {
  clients: ControllerClients;
  informers: SharedInformers;
  controllers: Controller[];
  /** Resolves when every controller has nothing queued or in flight (handy in tests; not a barrier for new events). */
  idle(): Promise<void>;
  stop(): void;
}

export async function startControllers(opts: StartControllersOptions): Promise<RunningControllers> {
  const enable: Required<ControllerSelection> = { pv: true, protection: true, defaultClass: true, statefulSet: true, ...opts.enable };
  const clients = makeControllerClients(opts.kubeconfigPath, opts.userAgent ?? CONTROLLER_USER_AGENT);
  const log = opts.log ?? (() => undefined);
  const informers = createSharedInformers(clients, (err) => log('watch error, retrying', { error: err instanceof Error ? err.message : String(err) }));
  const ctx: ControllerContext = { clients, informers, log, resyncMs: opts.resyncMs ?? 15_000 };
  const controllers: Controller[] = [];
  if (enable.pv) controllers.push(createPvController(ctx, { defaultClassAssignment: enable.defaultClass }));
  if (enable.protection) controllers.push(createProtectionController(ctx));
  if (enable.defaultClass) controllers.push(createDefaultClassController(ctx));
  if (enable.statefulSet) controllers.push(createStatefulSetController(ctx));
  informers.start();
  // Like WaitForCacheSync: no controller acts on a partial view (a bound claim whose volume is not
  // yet listed would look Lost).
  await informers.synced();
  for (const c of controllers) c.run();
  return {
    clients,
    informers,
    controllers,
    idle: async () => {
      await Promise.all(controllers.map((c) => c.idle()));
    },
    stop() {
      for (const c of controllers) c.stop();
      informers.stop();
    },
  };
}
