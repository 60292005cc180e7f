/** `traced-clients/server`: server spans for node:http, Express, Koa and Fastify. */
export * from './server/index.js';
