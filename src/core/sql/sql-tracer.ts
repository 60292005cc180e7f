/**
 * The SQL span family on top of the core lifecycle: what every traced SQL client does per
 * query, once (naming, `db.statement`, `db.params`, sqlcommenter, the error settlement), so
 * the pg and mysql2 clients only say where the text, values and name of a query are.
 */
import type { Span } from 'opentracing';
import type { Instrumentation } from '../instrumentation.js';
import type { Settlement } from '../lifecycle.js';
import { capLength } from '../redact.js';
import { resolveTracer, setTagSafely } from '../span-ops.js';
import { TAG, type TagMap } from '../tags.js';
import { firstSqlWord, sqlOperationName } from './operation.js';
import type { SqlDialect } from './sanitize.js';
import { appendSqlComment, sqlCommentFor } from './sql-comment.js';
import { paramsTag, type SqlRecordingOptions, sanitizeErrorMessage, statementTag } from './statement.js';

const TEXT_CACHE_SIZE = 512;
/** Longer texts are generated, rarely repeated: not worth keeping. */
const MAX_CACHED_TEXT = 4096;

function remember<V>(cache: Map<string, V>, text: string, value: V): void {
  if (text.length > MAX_CACHED_TEXT) return;
  if (cache.size >= TEXT_CACHE_SIZE) cache.clear();
  cache.set(text, value);
}

/** The tag that holds parameter values when `captureParams: true`. */
export const DB_PARAMS_TAG = 'db.params';

/** The peer and database tags of a SQL client, computed once when it is wrapped. */
export interface SqlPeer {
  readonly host?: string | undefined;
  readonly port?: number | string | undefined;
  readonly database?: string | undefined;
  readonly user?: string | undefined;
}

const IPV4 = /^(?:\d{1,3}\.){3}\d{1,3}$/;

/** Fixed tags of a SQL client: db.type, db.system, db.instance, db.user, peer.*. */
export function sqlFixedTags(system: string, peer: SqlPeer): TagMap {
  const host = peer.host === undefined || peer.host === '' ? undefined : peer.host;
  const isIp = host !== undefined && IPV4.test(host);
  const isIpv6 = host?.includes(':') === true;
  const port = peer.port === undefined || peer.port === '' ? undefined : Number(peer.port);
  return {
    [TAG.DB_TYPE]: 'sql',
    [TAG.DB_SYSTEM]: system,
    [TAG.DB_INSTANCE]: peer.database === '' ? undefined : peer.database,
    [TAG.DB_USER]: peer.user === '' ? undefined : peer.user,
    [TAG.PEER_HOST_IPV4]: isIp ? host : undefined,
    [TAG.PEER_HOST_IPV6]: isIpv6 ? host : undefined,
    [TAG.PEER_HOSTNAME]: isIp || isIpv6 ? undefined : host,
    [TAG.PEER_PORT]: port !== undefined && Number.isInteger(port) ? port : undefined,
  };
}

/** What a client knows about one query when it starts (also what its hooks receive). */
export interface SqlQuery {
  /** The SQL text, when the call gives one. */
  readonly text: string | undefined;
  readonly values: unknown;
  /** A named/prepared statement's name. */
  readonly name?: string | undefined;
}

/** Server errors carry the offending values in their message; they are cleaned by default. */
export type ServerErrorTest = (error: unknown) => boolean;

/**
 * One traced SQL client's per-query logic. Built once per wrapped client; `start` is the
 * per-call entry and returns `undefined` when nothing is recorded (call the original then).
 */
export class SqlTracer<Info extends SqlQuery> {
  /** The settlement every query of this client shares (no per-call closures). */
  readonly settlement: Settlement;
  private readonly captureParams: boolean;
  private readonly sqlComment: boolean;
  private readonly statement: SqlRecordingOptions['statement'];
  /**
   * Per SQL text: its operation name, and its sanitized statement at `cachedMax`. Services
   * send the same few hundred texts over and over, and scanning one costs more than the rest
   * of the span; bounded (cleared when full), so distinct texts cost one extra map insert.
   */
  private readonly names = new Map<string, string>();
  private readonly statements = new Map<string, string | undefined>();
  private cachedMax = -1;

  constructor(
    readonly instrumentation: Instrumentation<Info, unknown>,
    readonly prefix: string,
    readonly dialect: SqlDialect,
    options: SqlRecordingOptions,
    isServerError: ServerErrorTest,
    onSuccess?: (span: Span, result: unknown) => void,
  ) {
    this.captureParams = options.captureParams === true;
    this.sqlComment = options.sqlComment === true;
    this.statement = options.statement;
    const captureParams = this.captureParams;
    this.settlement = {
      onSuccess,
      // A server message quotes the duplicate key, the bad input value… Only the user who
      // opted into recording values gets it verbatim.
      errorMessage: captureParams
        ? undefined
        : (error) => (isServerError(error) ? sanitizeErrorMessage(String((error as Error).message)) : undefined),
    };
  }

  /** Starts the span of one query, tagged and passed through the request hook. */
  start(query: Info): Span | undefined {
    const instrumentation = this.instrumentation;
    const fixedName = instrumentation.options.operationName;
    const defaultName = typeof fixedName === 'string' ? fixedName : this.operationName(query);
    const name = fixedName === undefined ? defaultName : instrumentation.operationName(defaultName, query);
    const span = instrumentation.start(name);
    if (span === undefined) return undefined;
    const max = instrumentation.maxStatementLength;
    const onError = instrumentation.onError;
    if (query.text !== undefined) {
      setTagSafely(span, TAG.DB_STATEMENT, this.statementOf(query.text, max), onError);
    } else if (query.name !== undefined) {
      setTagSafely(span, TAG.DB_STATEMENT, capLength(`EXECUTE ${query.name}`, max), onError);
    }
    if (this.captureParams) setTagSafely(span, DB_PARAMS_TAG, paramsTag(query.values, max), onError);
    instrumentation.requestHook(span, query);
    return span;
  }

  private operationName(query: Info): string {
    const text = query.text;
    if (text === undefined) return sqlOperationName(this.prefix, text, query.name);
    const known = this.names.get(text);
    if (known !== undefined) return known;
    const name = sqlOperationName(this.prefix, text, query.name);
    // Only a name read from the text's own first word depends on the text alone (else it is
    // the prepared statement's name, or QUERY).
    if (firstSqlWord(text) !== undefined) remember(this.names, text, name);
    return name;
  }

  /** `db.statement` of `text`; only the default (sanitized) form is cached, being a pure function of it. */
  private statementOf(text: string, max: number): string | undefined {
    const option = this.statement;
    if (option !== undefined && option !== 'sanitized') {
      return statementTag(text, option, max, this.dialect, this.instrumentation.onError);
    }
    if (this.cachedMax !== max) {
      this.statements.clear();
      this.cachedMax = max;
    }
    if (this.statements.has(text)) return this.statements.get(text);
    const statement = statementTag(text, option, max, this.dialect, this.instrumentation.onError);
    remember(this.statements, text, statement);
    return statement;
  }

  /** The text to send: with the sqlcommenter comment when enabled, else `text` itself. */
  commented(span: Span, text: string): string {
    if (!this.sqlComment) return text;
    const instrumentation = this.instrumentation;
    return appendSqlComment(text, sqlCommentFor(resolveTracer(instrumentation.tracer), span, instrumentation.onError));
  }

  get commentsEnabled(): boolean {
    return this.sqlComment;
  }
}
