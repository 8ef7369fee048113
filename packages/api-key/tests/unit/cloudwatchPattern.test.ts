import { describe, expect, it } from 'vitest';
import { hclStringLiteral, matchesJsonPattern } from '../helpers/cloudwatchPattern.ts';

const pattern =
  '{ ($.level = "ERROR") && ($.message = "finishSecret: post-promotion ' +
  'clean-up failed; it runs again at the next rotation") }';
const line = (level: string, message: string) =>
  JSON.stringify({ level, message, rotator: 'api-key', error: { name: 'TargetOperationError' } });

describe('the JSON filter-pattern evaluator the alarm test relies on', () => {
  it('matches exactly that level and message', () => {
    expect(
      matchesJsonPattern(
        pattern,
        line('ERROR', 'finishSecret: post-promotion clean-up failed; it runs again at the next rotation'),
      ),
    ).toBe(true);
    expect(
      matchesJsonPattern(
        pattern,
        line('WARN', 'finishSecret: post-promotion clean-up failed; it runs again at the next rotation'),
      ),
    ).toBe(false);
    expect(matchesJsonPattern(pattern, line('ERROR', 'finishSecret: post-promotion clean-up failed'))).toBe(false);
    expect(matchesJsonPattern(pattern, line('ERROR', 'finishSecret failed'))).toBe(false);
    expect(
      matchesJsonPattern(
        pattern,
        'ERROR finishSecret: post-promotion clean-up failed; it runs again at the next rotation',
      ),
    ).toBe(false);
    expect(matchesJsonPattern('{ $.error.name = "TargetOperationError" }', line('ERROR', 'x'))).toBe(true);
  });

  it('refuses what it does not understand instead of guessing', () => {
    expect(() => matchesJsonPattern('{ $.level != "ERROR" }', '{}')).toThrow(/unsupported/);
    expect(() => matchesJsonPattern('{ ($.level = "ERROR") || ($.level = "WARN") }', '{}')).toThrow(/unsupported/);
    expect(() => matchesJsonPattern('{ $.message = "finishSecret*" }', '{}')).toThrow(/wildcards/);
    expect(() => matchesJsonPattern('"post-promotion clean-up failed"', '{}')).toThrow(/not a JSON filter pattern/);
  });

  it('reads an HCL string literal, unescaped, and refuses an interpolated one', () => {
    expect(hclStringLiteral('locals {\n  p = "{ ($.a = \\"x\\") }"\n}', 'p')).toBe('{ ($.a = "x") }');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: HCL's interpolation, which the reader must refuse
    expect(() => hclStringLiteral('  p = "${var.q}"\n', 'p')).toThrow(/interpolation/);
    expect(() => hclStringLiteral('  p = "%{ if true }x%{ endif }"\n', 'p')).toThrow(/interpolation/);
  });

  it('reads an interpolation of another literal local of the same file, as Terraform evaluates it', () => {
    const source = [
      'locals {',
      '  message = "clean-up \\"failed\\""',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: HCL's interpolation, which the reader resolves
      '  p       = "{ ($.message = \\"${local.message}\\") }"',
      '  q       = "${local.missing}"',
      '  r       = "${local.r}"',
      '}',
    ].join('\n');
    expect(hclStringLiteral(source, 'p')).toBe('{ ($.message = "clean-up "failed"") }');
    expect(() => hclStringLiteral(source, 'q')).toThrow(/no string literal missing/);
    expect(() => hclStringLiteral(source, 'r')).toThrow(/refers to itself/);
  });
});
