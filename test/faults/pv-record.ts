// The record of every PV the provisioner ever created, for "each claim bound once": a list of
// PVs, then a watch from the list's resourceVersion (harness/controllers/reflector.ts), so every
// PV created after the record started is seen, even one deleted again at once. Through the API,
// so it works on the harness and on the real kube-apiserver alike.
//
// A relist after the first (the watch fell behind and was answered 410 Gone) leaves a gap: a PV
// created and deleted meanwhile is never seen. Such relists are counted, so a scenario can say
// its record is incomplete instead of passing on it silently.
import type { Watch } from '@kubernetes/client-node';
import { startReflector } from '../../harness/controllers/reflector.ts';
import type { KubeObject as ReflectedObject } from '../../harness/controllers/reflector.ts';
import type { KubeObject } from '../../harness/apiserver/index.ts';
import type { PvCreation } from './invariants.ts';
import type { KubeRest } from './kube-rest.ts';

export const PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';

type Pv = KubeObject & ReflectedObject & { spec?: { claimRef?: { uid?: string } } };

export interface PvRecord {
  /** Each (PV name, claim uid) pair once, in the order first seen. */
  readonly creations: PvCreation[];
  /** Resolves once the first list is in: PVs created from then on are all seen. */
  readonly started: Promise<void>;
  /** Relists after the first one (each a possible gap). */
  relists(): number;
  stop(): void;
}

export function startPvRecord(api: KubeRest, watch: Watch, provisionerName: string, onError: (err: unknown) => void): PvRecord {
  const creations: PvCreation[] = [];
  const seen = new Set<string>();
  let lists = 0;
  const note = (pv: Pv): void => {
    if (pv.metadata.annotations?.[PROVISIONED_BY] !== provisionerName) return;
    const name = pv.metadata.name;
    const uid = pv.spec?.claimRef?.uid;
    if (name === undefined || uid === undefined) return;
    // Keyed by both: a PV name reused for another claim is another creation.
    const key = `${name} ${uid}`;
    if (seen.has(key)) return;
    seen.add(key);
    creations.push({ pvName: name, claimUid: uid });
  };
  const reflector = startReflector<Pv>({
    path: '/api/v1/persistentvolumes',
    list: () => api.list<Pv>('/api/v1/persistentvolumes'),
    watch,
    // Updates too: after a relist an unseen PV may show up as an update of a same-named one.
    onChange: (type, pv) => {
      if (type !== 'deleted') note(pv);
    },
    onSynced: () => {
      lists++;
    },
    onError,
  });
  return {
    creations,
    started: reflector.synced,
    relists: () => Math.max(0, lists - 1),
    stop: () => reflector.stop(),
  };
}
