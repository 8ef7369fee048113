/** Plain-text output: aligned columns, dates, and the words for a check's outcome. */
import type { SecretInfo } from './aws.ts';
import type { VersionCheck } from './probe.ts';
import type { RotatorKind } from './rotators.ts';
import { formatAge, formatDate } from './verdict.ts';

/** Columns padded to the widest cell; the last column is not padded. */
export function table(headers: string[], rows: string[][], indent = '  '): string {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) =>
    indent +
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

export function when(date: Date | undefined, now: Date): string {
  if (!date) return '-';
  const seconds = (now.getTime() - date.getTime()) / 1000;
  if (Math.abs(seconds) < 2) return `${formatDate(date)} (just now)`;
  const relative = seconds >= 0 ? `${formatAge(seconds)} ago` : `in ${formatAge(-seconds)}`;
  return `${formatDate(date)} (${relative})`;
}

/** Labels in a fixed order: AWSCURRENT, AWSPENDING, AWSPREVIOUS, then others. */
export function labelsText(labels: string[]): string {
  const order = ['AWSCURRENT', 'AWSPENDING', 'AWSPREVIOUS'];
  return (
    [...labels]
      .sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99) || a.localeCompare(b))
      .join(', ') || '(none)'
  );
}

export function versionRows(info: SecretInfo, dates: Map<string, Date | undefined> | undefined, now: Date): string[][] {
  const rank = (labels: string[]) =>
    labels.includes('AWSCURRENT') ? 0 : labels.includes('AWSPENDING') ? 1 : labels.includes('AWSPREVIOUS') ? 2 : 3;
  // Versions without a label are deprecated: Secrets Manager deletes them in time, and nothing reads them.
  return Object.entries(info.stages)
    .filter(([, labels]) => labels.length > 0)
    .sort(([, a], [, b]) => rank(a) - rank(b))
    .map(([versionId, labels]) => [versionId, labelsText(labels), dates ? when(dates.get(versionId), now) : '']);
}

/** What a check's state means for this rotator, in a few words. */
export function outcome(check: VersionCheck, kind: RotatorKind): string {
  const logsIn = kind.name === 'api-key' ? 'authenticates' : 'logs in';
  switch (check.state) {
    case 'works':
      if (kind.target === null) return 'ok (no target)';
      if (check.label === 'AWSPENDING') return `${logsIn}, passes testSecret`;
      if (check.label === 'pair') return 'privileges equal';
      return logsIn;
    case 'fails':
      if (check.label === 'pair') return 'privileges differ';
      if (check.label === 'AWSPENDING' && check.connections.some((c) => !/master/i.test(c.purpose)))
        return `${logsIn}, fails testSecret`;
      if (check.label === 'AWSPREVIOUS' && !kind.previousStaysValid)
        return `refused (expected: ${kind.name} retires the old one)`;
      return check.error?.kind === 'authentication' || check.error?.kind === 'forbidden' ? 'refused' : 'fails';
    case 'empty':
      return 'no value';
    case 'invalid':
      return 'not a valid secret';
    case 'refused':
      return 'not tried (names another target)';
    case 'skipped':
      return 'not tried';
  }
}

/** "127.0.0.1 over TLS; master secret 127.0.0.1 over TLS". */
export function connectionsText(check: VersionCheck): string {
  return check.connections
    .map((c) =>
      (
        `${/master/i.test(c.purpose) ? 'master secret ' : ''}${c.host ?? '?'} ` +
        `${c.tls === false ? 'WITHOUT TLS' : c.tls ? 'over TLS' : ''}`
      ).trim(),
    )
    .filter((text, i, all) => all.indexOf(text) === i)
    .join('; ');
}

export function errorText(check: VersionCheck): string {
  if (check.error) return `${check.error.name}: ${check.error.message}`;
  return check.detail ?? '';
}
