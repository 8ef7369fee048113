/**
 * The api-key module's `http` settings are the package's, not a copy: each field of the module's
 * `http` variable is one setting of SETTING_VARIABLES (packages/api-key/src/adapters/settings.ts)
 * in snake_case, and the module sets it as API_<FIELD IN UPPER CASE>, which must be that
 * setting's variable. Fails when the package gains, loses or renames a setting and the module
 * does not follow, or the other way round.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@rotators/testkit';
import { describe, expect, it } from 'vitest';
import { GENERIC_DEFAULTS, SETTING_VARIABLES } from '../../packages/api-key/src/adapters/settings.ts';
import { hclLiteral, runModuleTest } from '../../scripts/terraform/moduleTest.ts';
import { parseBlocks } from '../../scripts/terraform/readme-tables.ts';

type Setting = keyof typeof SETTING_VARIABLES;
const settings = Object.keys(SETTING_VARIABLES) as Setting[];
const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The attributes of the module's `http` object type, as variables.tf declares them. */
function httpFields(): string[] {
  const source = readFileSync(join(repoRoot, 'terraform/modules/api-key/variables.tf'), 'utf8');
  const http = parseBlocks(source).find((block) => block.kind === 'variable' && block.name === 'http');
  if (!http?.attributes.type) throw new Error('terraform/modules/api-key/variables.tf has no typed variable "http"');
  return [...http.attributes.type.matchAll(/^\s*([a-z_]+)\s*=/gm)].map((match) => match[1]!);
}

describe('terraform/modules/api-key: the http settings come from the package', () => {
  it('has one http field per setting of the package, named in snake_case', () => {
    expect(httpFields().sort()).toEqual(settings.map(snake).sort());
  });

  it('names each setting\u2019s variable API_<FIELD>, the rule the module applies', () => {
    for (const setting of settings)
      expect(SETTING_VARIABLES[setting], setting).toBe(`API_${snake(setting).toUpperCase()}`);
  });

  it(
    'sets every setting, given in http, as the package\u2019s variable with the value given ' +
      '(terraform test, mock provider)',
    async () => {
      // The adapter's defaults are valid values; "none" stands for the empty ones (the package reads it so).
      const value = (setting: Setting) => (GENERIC_DEFAULTS[setting] === '' ? 'none' : GENERIC_DEFAULTS[setting]);
      const tftest = [
        'mock_provider "aws" {',
        '  source = "../rotation-function/tests/mocks"',
        '}',
        '',
        'variables {',
        '  name          = "rotator"',
        '  zip_path      = "../rotation-function/tests/fixtures/placeholder.zip"',
        '  allowed_hosts = ["api.example.com"]',
        '  http = {',
        ...settings.map((setting) => `    ${snake(setting)} = ${hclLiteral(value(setting))}`),
        '  }',
        '}',
        '',
        'run "every_setting_of_the_package" {',
        '  command = apply',
        ...settings.flatMap((setting) => [
          '  assert {',
          `    condition     = lookup(output.function.environment, ${hclLiteral(SETTING_VARIABLES[setting])}, null) ` +
            `== ${hclLiteral(String(value(setting)))}`,
          `    error_message = ${hclLiteral(
            `http.${snake(setting)} must reach the function as ${SETTING_VARIABLES[setting]} ` +
              `(the package's ${setting}).`,
          )}`,
          '  }',
        ]),
        '}',
        '',
      ].join('\n');
      const result = await runModuleTest('api-key', 'settings_from_package', tftest);
      expect(result.code, result.output).toBe(0);
      expect(result.output).toMatch(/Success! 1 passed, 0 failed/);
    },
  );
});
