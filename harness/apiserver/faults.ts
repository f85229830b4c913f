// Fault injection driven from tests: error rates per verb/resource/client, latency, hanging
// requests, and dropping open watches (now or periodically).
import type { RequestFilter } from './request-log.ts';

export interface FaultRule {
  verbs?: readonly string[];
  resources?: readonly string[];
  userAgent?: string | RegExp;
  // Probability (0..1) that a matching request is affected; default 1.
  errorRate?: number;
  // Answer with this status instead of handling the request.
  code?: 500 | 429 | 409 | 503 | 504;
  retryAfterSeconds?: number;
  // Delay before handling (or before failing).
  latencyMs?: number;
  // Never answer while the rule is in place; released requests are then handled normally.
  hang?: boolean;
}

export interface FaultDecision {
  latencyMs: number;
  code?: number;
  retryAfterSeconds?: number;
  hang?: Promise<void>;
}

export interface RequestInfo {
  verb: string;
  resource?: string;
  userAgent: string;
}

export interface FaultInjector {
  add(rule: FaultRule): () => void;
  dropWatches(opts?: { abrupt?: boolean }): number;
  dropWatchesEvery(ms: number, opts?: { abrupt?: boolean }): () => void;
  clear(): void;
}

interface ActiveRule {
  rule: FaultRule;
  release: () => void;
  released: Promise<void>;
}

export class Faults implements FaultInjector {
  private readonly rules = new Set<ActiveRule>();
  private readonly intervals = new Set<NodeJS.Timeout>();
  private readonly random: () => number;
  private readonly dropAll: (abrupt: boolean) => number;

  constructor(random: () => number, dropAll: (abrupt: boolean) => number) {
    this.random = random;
    this.dropAll = dropAll;
  }

  add(rule: FaultRule): () => void {
    let release = (): void => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const active: ActiveRule = { rule, release, released };
    this.rules.add(active);
    return () => {
      this.rules.delete(active);
      active.release();
    };
  }

  dropWatches(opts: { abrupt?: boolean } = {}): number {
    return this.dropAll(opts.abrupt ?? false);
  }

  dropWatchesEvery(ms: number, opts: { abrupt?: boolean } = {}): () => void {
    const t = setInterval(() => this.dropAll(opts.abrupt ?? false), ms);
    this.intervals.add(t);
    return () => {
      clearInterval(t);
      this.intervals.delete(t);
    };
  }

  clear(): void {
    for (const r of this.rules) r.release();
    this.rules.clear();
    for (const t of this.intervals) clearInterval(t);
    this.intervals.clear();
  }

  private matches(rule: FaultRule, info: RequestInfo): boolean {
    if (rule.verbs && !rule.verbs.includes(info.verb)) return false;
    if (rule.resources && (info.resource === undefined || !rule.resources.includes(info.resource))) return false;
    if (rule.userAgent !== undefined) {
      const ua = rule.userAgent;
      if (typeof ua === 'string' ? !info.userAgent.includes(ua) : !ua.test(info.userAgent)) return false;
    }
    return true;
  }

  // What happens to this request; the first matching error or hang wins, latencies add up.
  decide(info: RequestInfo): FaultDecision {
    const d: FaultDecision = { latencyMs: 0 };
    for (const { rule, released } of this.rules) {
      if (!this.matches(rule, info)) continue;
      if (rule.errorRate !== undefined && this.random() >= rule.errorRate) continue;
      d.latencyMs += rule.latencyMs ?? 0;
      if (rule.hang && !d.hang) d.hang = released;
      if (rule.code !== undefined && d.code === undefined) {
        d.code = rule.code;
        if (rule.retryAfterSeconds !== undefined) d.retryAfterSeconds = rule.retryAfterSeconds;
      }
    }
    return d;
  }
}

export type { RequestFilter };
