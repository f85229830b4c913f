// What every control-plane stand-in gets: API clients, the shared caches, and a logger. A
// controller subscribes to the caches when created and starts working once they have listed.
import type { SharedInformers } from './informers.ts';
import type { ControllerClients } from './kube-clients.ts';

export type ControllerLog = (message: string, fields?: Record<string, unknown>) => void;

export interface ControllerContext {
  clients: ControllerClients;
  informers: SharedInformers;
  log: ControllerLog;
  /** Every resyncMs each controller re-examines every object it owns (Kubernetes: 15 s for the PV binder). */
  resyncMs: number;
}

export interface Controller {
  readonly name: string;
  /** Starts the workers; call after the informers have synced. */
  run(): void;
  /** Resolves when the controller has nothing queued or in flight. */
  idle(): Promise<void>;
  stop(): void;
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
