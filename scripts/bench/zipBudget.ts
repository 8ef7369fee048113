/** A rotator's zip size budget: packages/<name>/zip-budget.json, { "maxBytes": N, "why": "…" }. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@rotators/testkit';

export function zipBudget(rotator: string): number | undefined {
  const file = join(repoRoot, 'packages', rotator, 'zip-budget.json');
  if (!existsSync(file)) return undefined;
  const { maxBytes } = JSON.parse(readFileSync(file, 'utf8')) as { maxBytes?: unknown };
  if (typeof maxBytes !== 'number' || !Number.isInteger(maxBytes) || maxBytes <= 0)
    throw new Error(`${file}: maxBytes must be a positive integer`);
  return maxBytes;
}
