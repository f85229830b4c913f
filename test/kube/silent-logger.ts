// A winston logger that keeps its lines in memory, for tests.
import { Writable } from 'node:stream';
import { createLogger } from '../../lib/logger.ts';
import type { Logger } from '../../lib/logger.ts';

export function memoryLogger(level: 'error' | 'warn' | 'info' | 'debug' = 'debug'): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n')) {
        if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      callback();
    },
  });
  return { logger: createLogger({ level, stream }), lines };
}
