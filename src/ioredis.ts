/** `traced-clients/ioredis`: tracedRedis for ioredis (standalone and Cluster). */
export * from './clients/ioredis/index.js';
