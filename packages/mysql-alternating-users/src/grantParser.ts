/**
 * SHOW GRANTS lines → privilege atoms that can be compared and applied one by one.
 *
 * The lines are the server's own output (MySQL 8 and MariaDB 10.x formats). They are tokenised,
 * never replayed as text: identifiers are unquoted and re-quoted with mysql2's escapeId, so a name
 * with a backtick, quote, `?` or `%` comes back exactly, and whatever follows the grantee
 * (MariaDB's `IDENTIFIED BY PASSWORD '<hash>'`, REQUIRE, resource limits) is dropped — a password
 * hash is never sent back to the server.
 */
// mysql2's own escaping (mysql2 re-exports sql-escaper's), without loading the driver (issue 13).
import { escapeId, escape as escapeValue } from 'sql-escaper';

export type GrantAtom =
  | { kind: 'privilege'; object: string; privilege: string; column?: string }
  | { kind: 'grantOption'; object: string }
  | { kind: 'role'; role: string }
  | { kind: 'roleAdmin'; role: string }
  | { kind: 'defaultRole'; role: string };

interface Token {
  kind: 'id' | 'str' | 'word' | 'sym';
  value: string;
}

export function tokenize(line: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === '`' || c === "'" || c === '"') {
      let value = '';
      i += 1;
      for (;;) {
        if (i >= line.length) throw new GrantParseError('unterminated quote');
        const d = line[i]!;
        if (d === '\\' && c !== '`') {
          value += line[i + 1] ?? '';
          i += 2;
        } else if (d === c && line[i + 1] === c) {
          value += c;
          i += 2;
        } else if (d === c) {
          i += 1;
          break;
        } else {
          value += d;
          i += 1;
        }
      }
      tokens.push({ kind: c === '`' || c === '"' ? 'id' : 'str', value });
    } else if (/[A-Za-z0-9_$]/.test(c)) {
      let value = '';
      while (i < line.length && /[A-Za-z0-9_$]/.test(line[i]!)) value += line[i++];
      tokens.push({ kind: 'word', value });
    } else {
      tokens.push({ kind: 'sym', value: c });
      i += 1;
    }
  }
  return tokens;
}

export class GrantParseError extends Error {
  override readonly name = 'GrantParseError';
}

/** Tokens back to SQL: identifiers through escapeId, strings through escape, keywords checked. */
function render(tokens: Token[]): string {
  let out = '';
  let previous: Token | undefined;
  for (const token of tokens) {
    let text: string;
    if (token.kind === 'id') text = escapeId(token.value, true);
    else if (token.kind === 'str') text = escapeValue(token.value);
    else if (token.kind === 'word') text = token.value.toUpperCase();
    else if ('.*@'.includes(token.value)) text = token.value;
    else throw new GrantParseError(`unexpected symbol in a grant object`);
    if (previous && (previous.kind === 'word' || token.kind === 'word')) out += ' ';
    out += text;
    previous = token;
  }
  return out;
}

const isWord = (token: Token | undefined, word: string) => token?.kind === 'word' && token.value.toUpperCase() === word;

function indexOfWord(tokens: Token[], word: string, from = 0): number {
  let depth = 0;
  for (let i = from; i < tokens.length; i += 1) {
    const t = tokens[i]!;
    if (t.kind === 'sym' && t.value === '(') depth += 1;
    else if (t.kind === 'sym' && t.value === ')') depth -= 1;
    else if (depth === 0 && isWord(t, word)) return i;
  }
  return -1;
}

function splitTopLevel(tokens: Token[]): Token[][] {
  const parts: Token[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (t.kind === 'sym' && t.value === '(') depth += 1;
    if (t.kind === 'sym' && t.value === ')') depth -= 1;
    if (depth === 0 && t.kind === 'sym' && t.value === ',') parts.push([]);
    else parts.at(-1)!.push(t);
  }
  return parts.filter((p) => p.length > 0);
}

function hasSequence(tokens: Token[], words: string[]): boolean {
  return tokens.some((_, i) => words.every((w, j) => isWord(tokens[i + j], w)));
}

/** One SHOW GRANTS line → atoms. Lines this rotator does not copy (e.g. PROXY) return []. */
export function parseGrantLine(line: string): GrantAtom[] {
  const tokens = tokenize(line);
  if (isWord(tokens[0], 'SET') && isWord(tokens[1], 'DEFAULT') && isWord(tokens[2], 'ROLE')) {
    // MariaDB: SET DEFAULT ROLE `r` FOR `u`@`h`
    const forIndex = indexOfWord(tokens, 'FOR', 3);
    const role = tokens.slice(3, forIndex);
    return role.length === 1 && isWord(role[0], 'NONE') ? [] : [{ kind: 'defaultRole', role: render(role) }];
  }
  if (!isWord(tokens[0], 'GRANT'))
    throw new GrantParseError('a SHOW GRANTS line that is neither GRANT nor SET DEFAULT ROLE');
  const toIndex = indexOfWord(tokens, 'TO', 1);
  if (toIndex < 0) throw new GrantParseError('a GRANT line without TO');
  const tail = tokens.slice(toIndex + 1);
  const onIndex = indexOfWord(tokens.slice(0, toIndex), 'ON', 1);

  if (onIndex < 0) {
    // Role grant: GRANT `r1`, `r2`@`%` TO … [WITH ADMIN OPTION]
    const admin = hasSequence(tail, ['ADMIN', 'OPTION']);
    return splitTopLevel(tokens.slice(1, toIndex)).flatMap((roleTokens): GrantAtom[] => {
      const role = render(roleTokens);
      return admin
        ? [
            { kind: 'role', role },
            { kind: 'roleAdmin', role },
          ]
        : [{ kind: 'role', role }];
    });
  }

  const privileges = splitTopLevel(tokens.slice(1, onIndex));
  // PROXY grants name another account; copying them is out of scope (and rarely wanted).
  if (privileges.some((p) => isWord(p[0], 'PROXY'))) return [];
  const object = render(tokens.slice(onIndex + 1, toIndex));
  const atoms: GrantAtom[] = [];
  for (const privilege of privileges) {
    const open = privilege.findIndex((t) => t.kind === 'sym' && t.value === '(');
    const nameTokens = open < 0 ? privilege : privilege.slice(0, open);
    if (!nameTokens.every((t) => t.kind === 'word'))
      throw new GrantParseError('a privilege name that is not a keyword');
    const name = nameTokens.map((t) => t.value.toUpperCase()).join(' ');
    if (name === 'USAGE') continue;
    if (open < 0) {
      atoms.push({ kind: 'privilege', object, privilege: name });
      continue;
    }
    const columns = privilege
      .slice(open + 1, privilege.length - 1)
      .filter((t) => !(t.kind === 'sym' && t.value === ','));
    for (const column of columns) {
      if (column.kind !== 'id' && column.kind !== 'word') throw new GrantParseError('a column that is not a name');
      atoms.push({ kind: 'privilege', object, privilege: name, column: escapeId(column.value, true) });
    }
  }
  if (hasSequence(tail, ['GRANT', 'OPTION'])) atoms.push({ kind: 'grantOption', object });
  return atoms;
}

export function parseGrants(lines: string[]): Map<string, GrantAtom> {
  const atoms = new Map<string, GrantAtom>();
  for (const line of lines) for (const atom of parseGrantLine(line)) atoms.set(atomKey(atom), atom);
  return atoms;
}

export function atomKey(atom: GrantAtom): string {
  switch (atom.kind) {
    case 'privilege':
      return `privilege\u0000${atom.object}\u0000${atom.privilege}\u0000${atom.column ?? ''}`;
    case 'grantOption':
      return `grantOption\u0000${atom.object}`;
    default:
      return `${atom.kind}\u0000${atom.role}`;
  }
}

/** For messages and logs: names of privileges and objects only. */
export function describeAtom(atom: GrantAtom): string {
  switch (atom.kind) {
    case 'privilege':
      return `${atom.privilege}${atom.column ? ` (${atom.column})` : ''} ON ${atom.object}`;
    case 'grantOption':
      return `GRANT OPTION ON ${atom.object}`;
    case 'role':
      return `role ${atom.role}`;
    case 'roleAdmin':
      return `ADMIN OPTION for role ${atom.role}`;
    case 'defaultRole':
      return `default role ${atom.role}`;
  }
}

/** Atoms in `a` that are not in `b`. */
export function missingFrom(a: Map<string, GrantAtom>, b: Map<string, GrantAtom>): GrantAtom[] {
  return [...a.entries()].filter(([key]) => !b.has(key)).map(([, atom]) => atom);
}

/** `SELECT, UPDATE (`a`, `b`)` for the privilege atoms of one object. */
export function privilegeList(atoms: GrantAtom[]): string {
  // A table-level SELECT and a column-level SELECT (`a`) on one table are two entries.
  const groups = new Map<string, { name: string; columns: string[] }>();
  for (const atom of atoms) {
    if (atom.kind !== 'privilege') continue;
    const key = `${atom.privilege}\u0000${atom.column ? 'columns' : 'table'}`;
    const group = groups.get(key) ?? { name: atom.privilege, columns: [] };
    if (atom.column) group.columns.push(atom.column);
    groups.set(key, group);
  }
  return [...groups.values()]
    .map(({ name, columns }) => (columns.length > 0 ? `${name} (${columns.join(', ')})` : name))
    .join(', ');
}
