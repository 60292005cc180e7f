import type { TagMap } from '../../core/index.js';
import type { MutableTags } from './tags.js';

/** Per-client settings a tagger reads, fixed when the client is wrapped or configured. */
export interface TaggerSettings {
  readonly maxStatementLength: number;
  readonly recordStatements: boolean;
}

/**
 * What one AWS service adds to its spans: tags fixed per client, tags read from a command's
 * input, tags read from a successful output. Taggers read named fields only, so nothing
 * they do not name (item data, object keys, message bodies) can reach a tag.
 */
export interface ServiceTagger {
  readonly fixedTags?: TagMap;
  readonly request?: (
    operation: string,
    input: Readonly<Record<string, unknown>>,
    tags: MutableTags,
    settings: TaggerSettings,
  ) => void;
  readonly response?: (output: Readonly<Record<string, unknown>>, tags: MutableTags) => void;
  /**
   * A replacement for the error log's message when the service's error object carries user
   * data in its own fields (a DynamoDB item), so the log leaves the object out.
   */
  readonly errorMessage?: (error: unknown) => string | undefined;
}
