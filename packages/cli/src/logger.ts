/**
 * The logger the CLI hands to the engine and the rotators: the same Powertools JSON lines the
 * Lambda writes (with core's redacting replacer), kept in memory instead of printed, so the CLI can
 * tell what happened (e.g. "Connected with AWSCURRENT credentials" {host, tls}) and stdout stays
 * the CLI's own. With --verbose each line is also written to stderr.
 */
import { Logger, type LogItem } from '@aws-lambda-powertools/logger';
import { redactSensitive } from '@rotators/core';

export type LogLine = Record<string, unknown> & { level?: string; message?: string };

export class RecordingLogger extends Logger {
  readonly lines: LogLine[] = [];

  constructor(
    rotator: string,
    private readonly echo?: (line: string) => void,
  ) {
    super({
      serviceName: 'rotators-cli',
      persistentKeys: { rotator },
      jsonReplacerFn: redactSensitive,
      logLevel: 'INFO',
    });
  }

  protected override printLog(_logLevel: number, log: LogItem): void {
    log.prepareForPrint();
    const text = JSON.stringify(log.getAttributes(), this.getJsonReplacer());
    this.lines.push(JSON.parse(text) as LogLine);
    this.echo?.(text);
  }

  /** Lines logged from now on: `const since = logger.mark(); …; logger.since(since)`. */
  mark(): number {
    return this.lines.length;
  }

  since(mark: number): LogLine[] {
    return this.lines.slice(mark);
  }
}

/** A target connection the rotator opened: what it was for, the host, and whether TLS was used. */
export interface Connection {
  purpose: string;
  host?: string;
  tls?: boolean;
}

/** From core's connectWithTlsPolicy: `Connected with <purpose>` {host, tls}. */
export function connectionsIn(lines: LogLine[]): Connection[] {
  return lines
    .filter((line) => typeof line.message === 'string' && line.message.startsWith('Connected with '))
    .map((line) => ({
      purpose: (line.message as string).slice('Connected with '.length),
      host: typeof line.host === 'string' ? line.host : undefined,
      tls: typeof line.tls === 'boolean' ? line.tls : undefined,
    }));
}
