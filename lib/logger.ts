// winston JSON lines on stdout (the Deployment's log collector reads them). One root logger is
// created in main.ts and passed down; lines about a claim come from claimLogger() so every one
// of them carries `claim: "namespace/name"`.
import winston from 'winston';
import type { Logger } from 'winston';
import type { LogLevel } from './config.ts';

export type { Logger } from 'winston';

export interface LoggerOptions {
  readonly level: LogLevel;
  /** Where lines go; default stdout. Tests pass a stream to read them back. */
  readonly stream?: NodeJS.WritableStream;
  /** Fields on every line (e.g. the provisioner name). */
  readonly defaultMeta?: Record<string, unknown>;
}

export function createLogger(options: LoggerOptions): Logger {
  return winston.createLogger({
    level: options.level,
    format: winston.format.combine(winston.format.timestamp(), winston.format.errors({ stack: false }), winston.format.json()),
    defaultMeta: options.defaultMeta ?? {},
    transports: [
      options.stream === undefined
        ? new winston.transports.Console()
        : new winston.transports.Stream({ stream: options.stream }),
    ],
  });
}

/** A child logger whose every line names the claim (`claim: "ns/name"`). */
export function claimLogger(logger: Logger, namespace: string, name: string): Logger {
  return logger.child({ claim: `${namespace}/${name}` });
}

/** A child logger whose every line names the PersistentVolume. */
export function volumeLogger(logger: Logger, pvName: string, claimKey?: string): Logger {
  return logger.child(claimKey === undefined ? { pv: pvName } : { pv: pvName, claim: claimKey });
}
