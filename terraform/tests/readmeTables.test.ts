/** The README table check: parsing of variable/output blocks and that a drifted table is caught. */
import { describe, expect, it } from 'vitest';
import { parseBlocks, renderTables } from '../../scripts/terraform/readme-tables.ts';

const source = `
variable "secrets" {
  description = <<-EOT
    Secrets to rotate { with braces } and "quotes".
  EOT
  type = map(object({
    arn = string
  }))
  default = {}

  validation {
    condition     = alltrue([for s in values(var.secrets) : s.arn != ""])
    error_message = "secrets[*].arn must not be empty (see { docs })."
  }
}

# a comment with a brace {
variable "name" {
  description = "Name | with a pipe."
  type        = string
}

output "function_arn" {
  description = "ARN of the function."
  value       = aws_lambda_function.this.arn
}
`;

describe('readme-tables', () => {
  it('reads each block\u2019s own attributes, not those of nested validation blocks', () => {
    const blocks = parseBlocks(source);
    expect(blocks.map((b) => `${b.kind}:${b.name}`)).toEqual([
      'variable:secrets',
      'variable:name',
      'output:function_arn',
    ]);
    expect(blocks[0]!.attributes.default).toBe('{}');
    expect(blocks[0]!.attributes.condition).toBeUndefined();
    expect(blocks[1]!.attributes.default).toBeUndefined();
  });

  it('renders heredoc descriptions, shortened multi-line types, required inputs and escaped pipes', () => {
    const tables = renderTables(parseBlocks(source));
    expect(tables).toContain(
      '| `secrets` | Secrets to rotate { with braces } and "quotes". | `map(object({…}))` | `{}` | no |',
    );
    expect(tables).toContain('| `name` | Name \\| with a pipe. | `string` | n/a | yes |');
    expect(tables).toContain('| `function_arn` | ARN of the function. |');
  });

  it('gives a different table when a variable is added or its default changes', () => {
    const before = renderTables(parseBlocks(source));
    expect(renderTables(parseBlocks(`${source}\nvariable "extra" {\n  type = bool\n}\n`))).not.toBe(before);
    expect(renderTables(parseBlocks(source.replace('default = {}', 'default = { a = { arn = "x" } }')))).not.toBe(
      before,
    );
  });
});
