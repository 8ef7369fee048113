/**
 * No import cycle in any package's source, type-only imports included: a cycle makes load order
 * decide whether a value is defined yet, and hides which module owns what (issue 12). Every
 * package's entry points are followed (dpdm), so a file added later is covered once it is imported.
 */
import { readdirSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseCircular, parseDependencyTree } from 'dpdm';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const entries = readdirSync(join(root, 'packages'))
  .flatMap((name) => ['src/index.ts', 'src/db/index.ts', 'src/main.ts'].map((file) => join('packages', name, file)))
  .filter((file) => existsSync(join(root, file)));

describe('import cycles', () => {
  it('there is none in any package, type imports included', async () => {
    expect(entries.length).toBeGreaterThanOrEqual(6);
    const tree = await parseDependencyTree(entries, {
      context: root,
      cwd: root,
      transform: false,
      include: /packages\/[^/]+\/src\//,
      exclude: /node_modules/,
    });
    expect(Object.keys(tree).length).toBeGreaterThan(50);
    expect(parseCircular(tree).map((cycle) => cycle.join(' -> '))).toEqual([]);
  });
});
