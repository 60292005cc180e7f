import type { SdkCommand, SdkConfig } from './internal-types.js';

// Operation names per command class: the schema (or the class name) is fixed per class, so
// it is read once. A WeakMap lookup costs less than reading the schema array each call.
const operations = new WeakMap<object, string>();

/** The `name` of an operation schema: `[9, namespace, name, …]` or `{ name }`. */
function schemaName(schema: unknown): string | undefined {
  if (Array.isArray(schema)) return schema[0] === 9 && typeof schema[2] === 'string' ? schema[2] : undefined;
  if (schema !== null && typeof schema === 'object') {
    const name = (schema as { name?: unknown }).name;
    return typeof name === 'string' ? name : undefined;
  }
  return undefined;
}

/**
 * The API operation a command runs: `GetItem` for both `GetItemCommand` and lib-dynamodb's
 * `GetCommand`. Read from the operation schema first, because minifiers rename classes;
 * the class name without `Command` is the fallback for SDKs without schemas.
 */
export function operationOf(command: SdkCommand): string {
  const ctor = (command as { constructor?: unknown }).constructor;
  const key = typeof ctor === 'function' ? ctor : undefined;
  if (key !== undefined) {
    const known = operations.get(key);
    if (known !== undefined) return known;
  }
  const name =
    schemaName(command.schema) ??
    schemaName(command.clientCommand?.schema) ??
    (key === undefined ? undefined : key.name.replace(/Command$/, '')) ??
    'Unknown';
  const operation = name === '' ? 'Unknown' : name;
  if (key !== undefined) operations.set(key, operation);
  return operation;
}

/** `Command`-suffixed name → operation (`GetItemCommand` → `GetItem`). */
export function operationFromCommandName(commandName: string): string {
  return commandName.replace(/Command$/, '');
}

/**
 * The service name of spans: `config.serviceId` (`DynamoDB`, `S3`, `SQS`, `Secrets Manager`)
 * in lower case without spaces, else the client class name without `Client`.
 */
export function serviceOf(config: SdkConfig | undefined, client: object): string {
  const id = config?.serviceId;
  if (typeof id === 'string' && id !== '') return id.toLowerCase().replace(/\s+/g, '');
  const className = (client as { constructor?: { name?: unknown } }).constructor?.name;
  if (typeof className === 'string' && className !== '') {
    return className
      .replace(/Client$/, '')
      .replace(/Document$/, '')
      .toLowerCase();
  }
  return 'aws';
}
