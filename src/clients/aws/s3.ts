import type { ServiceTagger } from './service-tagger.js';
import { AWS_TAG } from './tags.js';

/** S3: the bucket name. Object keys and bodies are never read. */
export const s3Tagger: ServiceTagger = {
  request: (_operation, input, tags) => {
    if (typeof input.Bucket === 'string') tags[AWS_TAG.S3_BUCKET] = input.Bucket;
  },
};
