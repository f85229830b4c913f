// Runs a synchronous cleanup when the test process ends without calling stop(): on normal exit,
// and on SIGTERM/SIGINT/SIGHUP (tap's timeout, Ctrl-C), where 'exit' handlers do not run. After
// the cleanup the process exits with 128 + the signal number, as if the signal had killed it;
// other listeners get a moment to exit their own way first. (Raising the signal again does not
// work: Node still has its handler installed then. And under tap, signal-exit listens too and
// stays quiet because ours is there, so "exit only if nobody else listens" would never exit.)
import { constants } from 'node:os';

const SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];

/** Registers cleanup; returns the function that unregisters it (call it from stop()). */
export function onProcessEnd(cleanup: () => void): () => void {
  let done = false;
  const once = (): void => {
    if (done) return;
    done = true;
    cleanup();
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    once();
    unregister();
    const code = 128 + constants.signals[signal];
    if (process.listenerCount(signal) === 0) process.exit(code);
    setTimeout(() => process.exit(code), 500);
  };
  const unregister = (): void => {
    process.removeListener('exit', once);
    for (const s of SIGNALS) process.removeListener(s, onSignal);
  };
  process.once('exit', once);
  for (const s of SIGNALS) process.on(s, onSignal);
  return unregister;
}
