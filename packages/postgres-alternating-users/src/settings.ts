/**
 * Per-role settings (`ALTER ROLE … [IN DATABASE …] SET name TO value`, stored in
 * pg_db_role_setting as "name=value" strings) copied from the base user to the clone.
 *
 * The stored value is the server's flattened text, so it is turned back into a SET statement the
 * way pg_dump does (makeAlterConfigCommand): for the variables whose list elements the server
 * quotes as identifiers (search_path and friends: pg_dump's variable_is_guc_list_quote), the value
 * is split into its elements (SplitGUCList) and each element is sent as its own literal; every
 * other value is one literal. Sending `'"$user", public'` as a single literal would make it one
 * schema named `"$user", public`. testSecret compares the stored strings afterwards, so a value
 * that does not survive the trip fails the rotation rather than drifting silently.
 */
import { escapeIdentifier, escapeLiteral } from '@rotators/core/postgres';

/** pg_dump's variable_is_guc_list_quote (PostgreSQL 15-17). */
const LIST_QUOTE_VARIABLES = new Set([
  'local_preload_libraries',
  'search_path',
  'session_preload_libraries',
  'shared_preload_libraries',
  'temp_tablespaces',
  'unix_socket_directories',
]);

/** "name=value" → [name, value] (split at the first "="), or undefined when there is no "=". */
export function splitSetting(entry: string): [string, string] | undefined {
  const at = entry.indexOf('=');
  return at > 0 ? [entry.slice(0, at), entry.slice(at + 1)] : undefined;
}

/**
 * pg_dump's SplitGUCList: comma-separated identifiers, each unquoted (up to a comma or white
 * space) or double-quoted with "" for a quote. Undefined when malformed or empty.
 */
export function splitGucList(value: string): string[] | undefined {
  const out: string[] = [];
  let i = 0;
  const isSpace = (c: string | undefined) => c !== undefined && /\s/.test(c);
  while (isSpace(value[i])) i += 1;
  if (i >= value.length) return undefined;
  for (;;) {
    let element = '';
    if (value[i] === '"') {
      i += 1;
      for (;;) {
        const end = value.indexOf('"', i);
        if (end < 0) return undefined;
        element += value.slice(i, end);
        if (value[end + 1] === '"') {
          element += '"';
          i = end + 2;
          continue;
        }
        i = end + 1;
        break;
      }
    } else {
      const start = i;
      while (i < value.length && value[i] !== ',' && !isSpace(value[i])) i += 1;
      if (i === start) return undefined;
      element = value.slice(start, i);
    }
    out.push(element);
    while (isSpace(value[i])) i += 1;
    if (i >= value.length) return out;
    if (value[i] !== ',') return undefined;
    i += 1;
    while (isSpace(value[i])) i += 1;
  }
}

/** A variable name as an SQL identifier chain: each dotted part quoted (custom names keep their case). */
function variableName(name: string): string | undefined {
  const parts = name.split('.');
  return parts.every((part) => part.length > 0) ? parts.map(escapeIdentifier).join('.') : undefined;
}

/** The value part of `SET name TO …`, or undefined when it cannot be rebuilt faithfully. */
export function valueClause(name: string, value: string): string | undefined {
  if (!LIST_QUOTE_VARIABLES.has(name.toLowerCase())) return escapeLiteral(value);
  const elements = splitGucList(value);
  return elements ? elements.map(escapeLiteral).join(', ') : undefined;
}

const scope = (role: string, database: string | null) =>
  `ALTER ROLE ${escapeIdentifier(role)}${database === null ? '' : ` IN DATABASE ${escapeIdentifier(database)}`}`;

/** `ALTER ROLE r [IN DATABASE d] SET name TO …`, or undefined when the stored value cannot be rebuilt. */
export function setStatement(role: string, database: string | null, name: string, value: string): string | undefined {
  const variable = variableName(name);
  const clause = valueClause(name, value);
  return variable && clause ? `${scope(role, database)} SET ${variable} TO ${clause}` : undefined;
}

export function resetStatement(role: string, database: string | null, name: string): string | undefined {
  const variable = variableName(name);
  return variable ? `${scope(role, database)} RESET ${variable}` : undefined;
}
