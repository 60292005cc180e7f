/**
 * DynamoDB tags: which table(s), index, read options, and the counts and capacity the
 * response reports. Never item data, keys, expression attribute values or PartiQL
 * parameters: only the named fields below are read.
 */
import { capLength } from '../../core/index.js';
import { partiqlStatement, partiqlTable } from './partiql.js';
import type { ServiceTagger, TaggerSettings } from './service-tagger.js';
import { AWS_TAG, type MutableTags } from './tags.js';

type Input = Readonly<Record<string, unknown>>;

const TRANSACT_KINDS = ['Put', 'Update', 'Delete', 'ConditionCheck', 'Get'] as const;

function addName(names: string[], name: unknown): void {
  if (typeof name === 'string' && name !== '' && !names.includes(name)) names.push(name);
}

/** Statements of ExecuteStatement / BatchExecuteStatement / ExecuteTransaction. */
function statementsOf(input: Input): string[] {
  const one = input.Statement;
  if (typeof one === 'string') return [one];
  const list = input.Statements ?? input.TransactStatements;
  const statements: string[] = [];
  if (Array.isArray(list)) {
    for (const entry of list) {
      const statement = (entry as { Statement?: unknown } | null)?.Statement;
      if (typeof statement === 'string') statements.push(statement);
    }
  }
  return statements;
}

/**
 * The table names a request names, in order, each once: `TableName`, the keys of
 * `RequestItems` (batch), the tables of `TransactItems`, or the tables PartiQL names.
 */
export function dynamoTableNames(input: Input, statements: readonly string[]): string[] {
  const names: string[] = [];
  addName(names, input.TableName);
  const requestItems = input.RequestItems;
  if (requestItems !== null && typeof requestItems === 'object') {
    for (const name of Object.keys(requestItems)) addName(names, name);
  }
  const transactItems = input.TransactItems;
  if (Array.isArray(transactItems)) {
    for (const item of transactItems) {
      if (item === null || typeof item !== 'object') continue;
      for (const kind of TRANSACT_KINDS) {
        const action = (item as Record<string, { TableName?: unknown } | undefined>)[kind];
        if (action !== undefined) addName(names, action?.TableName);
      }
    }
  }
  for (const statement of statements) addName(names, partiqlTable(statement));
  return names;
}

function requestTags(_operation: string, input: Input, tags: MutableTags, settings: TaggerSettings): void {
  const statements = statementsOf(input);
  const tables = dynamoTableNames(input, statements);
  if (tables.length > 0) tags['db.instance'] = capLength(tables.join(','), settings.maxStatementLength);
  if (typeof input.IndexName === 'string') tags[AWS_TAG.DYNAMODB_INDEX] = input.IndexName;
  if (typeof input.Limit === 'number') tags[AWS_TAG.DYNAMODB_LIMIT] = input.Limit;
  if (typeof input.Select === 'string') tags[AWS_TAG.DYNAMODB_SELECT] = input.Select;
  if (typeof input.ConsistentRead === 'boolean') tags[AWS_TAG.DYNAMODB_CONSISTENT_READ] = input.ConsistentRead;
  if (statements.length > 0 && settings.recordStatements) {
    const statement = partiqlStatement(statements.join('; '), settings.maxStatementLength);
    if (statement !== undefined) tags['db.statement'] = statement;
  }
}

/** Total `CapacityUnits` of a `ConsumedCapacity` object or list. */
export function consumedCapacity(value: unknown): number | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const entries = Array.isArray(value) ? value : [value];
  let total: number | undefined;
  for (const entry of entries) {
    const units = (entry as { CapacityUnits?: unknown } | null)?.CapacityUnits;
    if (typeof units === 'number') total = (total ?? 0) + units;
  }
  return total;
}

function responseTags(output: Input, tags: MutableTags): void {
  const capacity = consumedCapacity(output.ConsumedCapacity);
  if (capacity !== undefined) tags[AWS_TAG.DYNAMODB_CONSUMED_CAPACITY] = capacity;
  if (typeof output.Count === 'number') tags[AWS_TAG.DYNAMODB_COUNT] = output.Count;
  if (typeof output.ScannedCount === 'number') tags[AWS_TAG.DYNAMODB_SCANNED_COUNT] = output.ScannedCount;
}

/**
 * True when a DynamoDB error carries items in its own fields: `Item` of a
 * `ConditionalCheckFailedException` asked for with `ReturnValuesOnConditionCheckFailure`,
 * `CancellationReasons[].Item` of a `TransactionCanceledException`.
 */
export function errorCarriesItems(error: unknown): boolean {
  if (error === null || typeof error !== 'object') return false;
  if ((error as { Item?: unknown }).Item !== undefined) return true;
  const reasons = (error as { CancellationReasons?: unknown }).CancellationReasons;
  return Array.isArray(reasons) && reasons.some((r) => (r as { Item?: unknown } | null)?.Item !== undefined);
}

/** Marks the log message, so the error object (with its items) stays out of the log. */
function errorMessage(error: unknown): string | undefined {
  if (!errorCarriesItems(error)) return undefined;
  const message = (error as { message?: unknown }).message;
  return `${typeof message === 'string' ? message : ''} (error.object not logged: it carries item data)`.trim();
}

/** DynamoDB: `db.type` `dynamodb`, `db.instance` = the table(s). */
export const dynamoDBTagger: ServiceTagger = {
  fixedTags: { 'db.type': 'dynamodb' },
  request: requestTags,
  response: responseTags,
  errorMessage,
};
