/**
 * One error type for everything the core reports to a person. `message` says what was wrong, `hint` what to do.
 * Both pass through redact() on construction, so an error can be shown or logged anywhere without leaking a password.
 */
import { redact } from './redact';

export type BrokerErrorKind =
  | 'invalid-input'   // a value the user typed or configured is malformed
  | 'unreachable'     // nothing answers at host:port
  | 'auth'            // wrong user name or password
  | 'forbidden'       // authenticated, but no permission (vhost or resource)
  | 'not-found'       // vhost, exchange, queue … does not exist
  | 'plugin-off'      // the AMQP port answers but the management HTTP API does not
  | 'server'          // HTTP 5xx or an unexpected broker reply
  | 'timeout'
  | 'tls'             // certificate verification or handshake failure
  | 'precondition'    // AMQP PRECONDITION_FAILED (e.g. a queue exists with other arguments)
  | 'cancelled'
  | 'read-only'       // a write on a broker configured read-only: refused before anything is sent
  | 'channel';        // an AMQP channel/connection closed by the broker for another reason

export class BrokerError extends Error {
  readonly kind: BrokerErrorKind;
  readonly hint: string;
  readonly status?: number;

  constructor(kind: BrokerErrorKind, message: string, hint: string, options?: { status?: number; cause?: unknown }) {
    super(redact(message), options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BrokerError';
    this.kind = kind;
    this.hint = redact(hint);
    this.status = options?.status;
  }

  /** One line for a notification, a tree node or the CLI's stderr. */
  describe(): string {
    return this.hint ? `${this.message}. ${this.hint}` : this.message;
  }
}

export function isBrokerError(e: unknown): e is BrokerError {
  return e instanceof BrokerError;
}

export function invalidInput(message: string, hint: string): BrokerError {
  return new BrokerError('invalid-input', message, hint);
}

/** Turns anything thrown into one redacted line, without a stack trace. */
export function describeError(e: unknown): string {
  if (e instanceof BrokerError) { return e.describe(); }
  if (e instanceof Error) { return redact(e.message || e.name); }
  return redact(String(e));
}

/** What a broker is, for the tree's status and the connection test: connected, unreachable, refused (auth) or broken. */
export type BrokerState = 'unknown' | 'connected' | 'unreachable' | 'auth' | 'error';

/** The state an error puts a broker in. */
export function stateOf(e: unknown): BrokerState {
  if (e instanceof BrokerError) {
    if (e.kind === 'auth' || e.kind === 'forbidden') { return 'auth'; }
    if (e.kind === 'unreachable' || e.kind === 'timeout' || e.kind === 'plugin-off' || e.kind === 'tls') { return 'unreachable'; }
  }
  return 'error';
}
