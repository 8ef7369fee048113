/**
 * Fault injection for the fake key API: the next N requests on a route answer with a status
 * (429 with Retry-After, 500, 401) or a redirect, arrive late, lose their connection, or are
 * carried out and then lose their answer.
 */

export type KeyApiFault =
  | { kind: 'status'; status: number; retryAfterSeconds?: number }
  /** Wait, then answer normally (a slow provider; longer than the client's timeout = a hang). */
  | { kind: 'slow'; delayMs: number }
  /** Destroy the socket without answering (a network error). */
  | { kind: 'reset' }
  /**
   * The request IS carried out (a key is created, revoked, ...), then its answer is lost: replaced
   * by this status, or by a dropped connection ('reset'). The client cannot tell whether it worked.
   */
  | { kind: 'lost-reply'; replaceWith: number | 'reset' }
  /** Answer with a redirect to `location` (status 302 unless given), e.g. to another server. */
  | { kind: 'redirect'; location: string; status?: 301 | 302 | 303 | 307 | 308 };

export interface FaultRule {
  /** "METHOD /path", `*` matching one path segment or any method, e.g. "POST /keys", "DELETE /keys/*", "* *". */
  route: string;
  fault: KeyApiFault;
  /** How many matching requests get the fault. Default 1; Infinity for a permanent fault. */
  times?: number;
}

interface ActiveRule {
  pattern: RegExp;
  fault: KeyApiFault;
  remaining: number;
}

export class FaultPlan {
  private rules: ActiveRule[] = [];

  add({ route, fault, times = 1 }: FaultRule): void {
    const [method = '*', path = '*'] = route.trim().split(/\s+/);
    const methodPattern = method === '*' ? '[A-Z]+' : method.toUpperCase();
    const pathPattern =
      path === '*'
        ? '.*'
        : path
            .split('/')
            .map((s) => (s === '*' ? '[^/]+' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
            .join('/');
    this.rules.push({ pattern: new RegExp(`^${methodPattern} ${pathPattern}$`), fault, remaining: times });
  }

  /** The fault for this request, if a rule with faults left matches; uses one of them up. */
  take(method: string, path: string): KeyApiFault | undefined {
    const rule = this.rules.find((r) => r.remaining > 0 && r.pattern.test(`${method} ${path}`));
    if (!rule) return undefined;
    rule.remaining -= 1;
    return rule.fault;
  }

  clear(): void {
    this.rules = [];
  }
}
