// npm run test:faults: runs the fault scenarios (see --help), prints the table and every
// violation, exits 1 on any violation.
import { randomBytes } from 'node:crypto';
import { ArgsError, parseFaultArgs } from './args.ts';
import { runSuite } from './suite.ts';

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseFaultArgs(process.argv.slice(2), () => randomBytes(4).readUInt32LE(0));
  } catch (err: unknown) {
    if (err instanceof ArgsError) {
      process.stderr.write(`test:faults: ${err.message}\n(see --help)\n`);
      process.exit(2);
    }
    throw err;
  }
  if (parsed.help) {
    process.stdout.write(parsed.text);
    return;
  }
  const { options } = parsed;
  let result;
  try {
    result = await runSuite(options, (line) => process.stderr.write(`${line}\n`));
  } catch (err: unknown) {
    // The chosen cluster cannot run here (the real control plane not built): the reason says how.
    process.stderr.write(`test:faults: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  }
  const out = options.json ? process.stderr : process.stdout;
  out.write(`\n${result.text}\n`);
  if (options.json) process.stdout.write(`${JSON.stringify(result.json, null, 2)}\n`);
  process.exit(result.ok ? 0 : 1);
}

await main();
