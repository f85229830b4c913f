// Progress lines on stderr every few seconds while a phase runs (quiet for short phases).
export function progress(label: string, status: () => string, everyMs = 3000): () => void {
  const started = Date.now();
  const timer = setInterval(() => {
    process.stderr.write(`  [${label}] ${((Date.now() - started) / 1000).toFixed(0)} s: ${status()}\n`);
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

export function say(line: string): void {
  process.stderr.write(`${line}\n`);
}
