// Reads the provisioner's /metrics (Prometheus text) and sums one metric, optionally only the
// series whose labels include the given ones.
export function sumMetric(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const labelText = m[2] ?? '';
    if (!Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`))) continue;
    const value = Number(m[3]);
    if (Number.isFinite(value)) sum += value;
  }
  return sum;
}

export async function fetchMetrics(httpUrl: string): Promise<string> {
  const res = await fetch(`${httpUrl}/metrics`, { signal: AbortSignal.timeout(5000) });
  return res.text();
}
