/**
 * The faults the proof injects at one external call, and the errors each channel sees. What each
 * fault means, per channel (the report repeats this):
 *
 *   error    Secrets Manager: the SDK call fails with InternalServiceError before reaching moto.
 *            SQL: the connection drops (ECONNRESET) instead of connecting or running the statement.
 *            HTTP: the key API answers 503 without acting, on every attempt the client makes.
 *   timeout  The call takes effect and its answer (a result, or the call's own failure) is lost.
 *            Secrets Manager: moto carries the call out, then the caller gets the SDK's
 *            TimeoutError. SQL: the statement runs (or the login is tried), then the driver's
 *            timeout error is raised and the session is dropped
 *            (an open transaction is rolled back by the server, as after a real timeout). HTTP: the
 *            key API carries the request out, then drops the connection instead of answering
 *            (the kit's `lost-reply` fault); the client's own retry policy applies.
 *   crash    The call takes effect, then the process dies: the call's answer is lost, every
 *            later call of that invocation fails without effect, and the invocation fails whatever
 *            the handler does with the error. The next invocation starts with nothing in memory
 *            (a new handler), as a new Lambda would.
 */
/** The process died (a crash fault). Thrown by every call the dead invocation still attempts. */
export class SimulatedCrash extends Error {
  override readonly name = 'SimulatedCrash';
  constructor(detail = 'the process died right after the call took effect') {
    super(`simulated crash: ${detail}`);
  }
}

/** An SDK error as a service-side failure looks (modelled, $fault "server"). */
export function serviceError(): Error {
  return Object.assign(new Error('injected: the service failed before acting on the request'), {
    name: 'InternalServiceError',
    $fault: 'server',
    $metadata: { httpStatusCode: 500 },
  });
}

/** The SDK's request timeout, after the request was carried out. */
export function sdkTimeout(): Error {
  return Object.assign(new Error('injected: no answer within the request timeout (the request was carried out)'), {
    name: 'TimeoutError',
    $metadata: {},
  });
}

/** A dropped database connection (before the call took effect). */
export function connectionReset(): Error {
  return Object.assign(new Error('injected: connection reset by peer'), {
    code: 'ECONNRESET',
    errno: -104,
    fatal: true,
  });
}

/** node-postgres' query_timeout error, after the statement ran. */
export function pgQueryTimeout(): Error {
  return Object.assign(new Error('Query read timeout'), { code: 'ETIMEDOUT' });
}

/** mysql2's per-query timeout, after the statement ran. */
export function mysqlQueryTimeout(): Error {
  return Object.assign(new Error('Query inactivity timeout'), { code: 'PROTOCOL_SEQUENCE_TIMEOUT', fatal: true });
}

/** A login that succeeded on the server whose answer came too late (the session is dropped). */
export function connectTimeout(): Error {
  return Object.assign(new Error('injected: connect ETIMEDOUT (the server had accepted the login)'), {
    code: 'ETIMEDOUT',
    fatal: true,
  });
}
