// Preloaded (node --import) into child processes the harness starts, so a child never outlives
// the test or sandbox that started it, even when that parent dies by SIGKILL and runs no cleanup:
// when the parent pid changes (the child was re-parented), the child gets SIGTERM (a clean
// shutdown: the provisioner releases its lease), then SIGKILL if it is still alive 10 s later.
// Reads HARNESS_PARENT_PID; does nothing without it. Never imported by lib/.
//
// JavaScript, not TypeScript: a .ts preload would make Node load its type stripper (about 30 MiB
// of resident memory) into a provisioner that runs compiled code, and the bench would measure it.
const parent = Number(process.env['HARNESS_PARENT_PID']);
if (Number.isInteger(parent) && parent > 1) {
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    setTimeout(() => process.kill(process.pid, 'SIGKILL'), 10_000).unref();
    process.kill(process.pid, 'SIGTERM');
  }, 500);
  timer.unref();
}
