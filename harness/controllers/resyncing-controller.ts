// The lifecycle every stand-in shares: handlers act only while running, run() enqueues everything
// once and then every resyncMs (as kube-controller-manager's periodic resync), stop() ends both.
import type { Controller } from './controller-context.ts';
import type { WorkQueue } from './work-queue.ts';

export interface ResyncingController {
  readonly controller: Controller;
  isRunning(): boolean;
}

export function resyncingController(name: string, queue: WorkQueue, resync: () => void, resyncMs: number): ResyncingController {
  let running = false;
  let resyncTimer: NodeJS.Timeout | undefined;
  return {
    isRunning: () => running,
    controller: {
      name,
      run() {
        running = true;
        resync();
        resyncTimer = setInterval(resync, resyncMs);
        resyncTimer.unref();
      },
      idle: () => queue.idle(),
      stop() {
        running = false;
        if (resyncTimer) clearInterval(resyncTimer);
        queue.stop();
      },
    },
  };
}
