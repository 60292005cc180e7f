import type { ServiceTagger } from './service-tagger.js';
import { AWS_TAG } from './tags.js';

/** S3: the bucket name. Object keys and bodies are never read. */
export const s3Tagger: ServiceTagger = {
  request: (_operation, input, tags) => {
    if (typeof input.Bucket === 'string') tags[AWS_TAG.S3_BUCKET] = input.Bucket;
  },
  // `NoSuchKey` and other object errors carry the object key in their own `Key` field.
  errorMessage: (error) => {
    if (error === null || typeof error !== 'object' || (error as { Key?: unknown }).Key === undefined) return undefined;
    const message = (error as { message?: unknown }).message;
    return `${typeof message === 'string' ? message : ''} (error.object not logged: it carries the object key)`.trim();
  },
};
