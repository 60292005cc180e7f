import type {
  FastifyError,
  FastifyInstance,
  FastifyPluginCallback,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
} from 'fastify';
import { spanInContext } from '../context/index.js';
import { IGNORED, requestSpanOf, ServerTracing } from './server-span.js';
import type { ServerTracingOptions } from './types.js';

/** Options of {@link fastifyTracing}. */
export type FastifyTracingOptions = ServerTracingOptions<FastifyRequest, FastifyReply>;

/** The matched route's pattern (with the prefixes of encapsulating plugins), `undefined` on a 404. */
function fastifyRoute(request: FastifyRequest): string | undefined {
  const url = request.routeOptions?.url ?? (request as { routerPath?: string }).routerPath;
  return typeof url === 'string' && url !== '' ? url : undefined;
}

function fastifyTracingPlugin(
  fastify: FastifyInstance,
  options: FastifyTracingOptions,
  done: (error?: Error) => void,
): void {
  const tracing = new ServerTracing<FastifyRequest, FastifyReply>('fastify', options);
  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, next: HookHandlerDoneFunction) => {
    const handle = tracing.begin(request.raw, reply.raw, request, reply, fastifyRoute(request));
    if (handle === undefined) return next();
    if (handle === IGNORED) return spanInContext(null, next);
    spanInContext(handle.span, next);
  });
  fastify.addHook(
    'onError',
    (request: FastifyRequest, _reply: FastifyReply, error: FastifyError, next: HookHandlerDoneFunction) => {
      requestSpanOf(request.raw)?.fail(error);
      next();
    },
  );
  done();
}

// What `fastify-plugin` would set, without a runtime dependency on it: skip encapsulation so
// the hooks apply to every route of the instance the plugin is registered on, also routes in
// child plugins registered after it.
Object.defineProperties(fastifyTracingPlugin, {
  [Symbol.for('skip-override')]: { value: true },
  [Symbol.for('fastify.display-name')]: { value: 'traced-clients' },
  [Symbol.for('plugin-meta')]: { value: { name: 'traced-clients', fastify: '4.x || 5.x' } },
});

/**
 * Fastify (4 and 5) plugin that gives every request a server span (`component: fastify`),
 * named `METHOD /route/:pattern` (prefixes included) and current for the hooks and the
 * handler. It is not encapsulated: register it on the root instance, before your routes,
 * and it traces the routes of every child plugin too. Handler errors are recorded (the
 * `onError` hook); statuses >= 500 mark the span as an error.
 *
 * @example
 * const app = Fastify();
 * await app.register(fastifyTracing, { ignore: (req) => req.url === '/health' });
 * app.get('/users/:id', async (req) => db.query('…')); // span "GET /users/:id"
 */
export const fastifyTracing: FastifyPluginCallback<FastifyTracingOptions> = fastifyTracingPlugin;
