// The real API server's request log: kube-apiserver writes an audit event (level Metadata) for
// every request it answered, and this reads them into the harness's RequestLog shape, so a test
// or the bench counts a client's requests by verb, resource and code on both servers alike.
// Long-running requests (watches) are logged twice by the server, when the response starts and
// when it completes; they count once, from the start, as the harness counts them.
import { closeSync, openSync, readSync } from 'node:fs';
import { matchesFilter } from '../apiserver/request-log.ts';
import type { RequestEntry, RequestFilter, RequestLog } from '../apiserver/request-log.ts';

/** --audit-policy-file: metadata of every request, without the RequestReceived stage. */
export const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
  - level: Metadata
`;

interface AuditEvent {
  auditID?: string;
  stage?: string;
  requestURI?: string;
  verb?: string;
  userAgent?: string;
  user?: { username?: string };
  objectRef?: { resource?: string; namespace?: string; name?: string; apiGroup?: string; subresource?: string };
  responseStatus?: { code?: number };
  requestReceivedTimestamp?: string;
  stageTimestamp?: string;
}

const CHUNK = 1 << 20;

export class AuditRequestLog implements RequestLog {
  private readonly path: string;
  private offset = 0;
  private partial = '';
  private list: RequestEntry[] = [];
  /** Open watches by auditID, so their ResponseComplete fills in the duration. */
  private readonly open = new Map<string, RequestEntry>();

  constructor(path: string) {
    this.path = path;
  }

  count(filter: RequestFilter = {}): number {
    this.catchUp();
    let n = 0;
    for (const e of this.list) if (matchesFilter(e, filter)) n++;
    return n;
  }

  entries(filter: RequestFilter = {}): RequestEntry[] {
    this.catchUp();
    return this.list.filter((e) => matchesFilter(e, filter));
  }

  reset(): void {
    this.catchUp();
    this.list = [];
  }

  /** Reads what the server appended since the last call (synchronously: counts are asked inline). */
  private catchUp(): void {
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch {
      return;
    }
    try {
      const buffer = Buffer.alloc(CHUNK);
      for (;;) {
        const n = readSync(fd, buffer, 0, CHUNK, this.offset);
        if (n === 0) break;
        this.offset += n;
        const text = this.partial + buffer.toString('utf8', 0, n);
        const lines = text.split('\n');
        this.partial = lines.pop() ?? '';
        for (const line of lines) if (line !== '') this.add(line);
      }
    } finally {
      closeSync(fd);
    }
  }

  private add(line: string): void {
    let event: AuditEvent;
    try {
      event = JSON.parse(line) as AuditEvent;
    } catch {
      return;
    }
    const id = event.auditID ?? '';
    const started = Date.parse(event.requestReceivedTimestamp ?? '');
    const at = Date.parse(event.stageTimestamp ?? '');
    if (event.stage === 'ResponseComplete' && this.open.has(id)) {
      const entry = this.open.get(id);
      this.open.delete(id);
      if (entry) entry.durationMs = at - started;
      return;
    }
    if (event.stage !== 'ResponseStarted' && event.stage !== 'ResponseComplete' && event.stage !== 'Panic') return;
    const ref = event.objectRef;
    const uri = event.requestURI ?? '';
    const entry: RequestEntry = {
      verb: event.verb ?? '',
      method: '',
      path: uri.split('?')[0] ?? uri,
      ...(ref?.apiGroup !== undefined ? { apiGroup: ref.apiGroup } : ref ? { apiGroup: '' } : {}),
      ...(ref?.resource !== undefined ? { resource: ref.resource } : {}),
      ...(ref?.subresource !== undefined ? { subresource: ref.subresource } : {}),
      ...(ref?.namespace !== undefined ? { namespace: ref.namespace } : {}),
      ...(ref?.name !== undefined ? { name: ref.name } : {}),
      userAgent: event.userAgent ?? '',
      ...(event.user?.username !== undefined ? { user: event.user.username } : {}),
      code: event.responseStatus?.code ?? 0,
      durationMs: event.stage === 'ResponseStarted' ? -1 : at - started,
      time: started,
    };
    if (event.stage === 'ResponseStarted') this.open.set(id, entry);
    this.list.push(entry);
  }
}
