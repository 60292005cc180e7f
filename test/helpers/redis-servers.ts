/**
 * Extra, private `redis-server` processes for the ioredis tests: a password-protected one,
 * and a three-master Cluster. Each runs on free loopback ports with its files in a temp
 * directory, never touches the shared Redis on 6379, and is killed by `stop()`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { tcpReachable } from './services.js';
import { waitFor } from './wait.js';

export interface RedisServers {
  readonly ports: readonly number[];
  stop(): Promise<void>;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** `count` free ports whose cluster-bus ports (+10000) are free too. */
async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = 20000 + Math.floor(Math.random() * 30000);
    if (ports.includes(port)) continue;
    if ((await portFree(port)) && (await portFree(port + 10000))) ports.push(port);
  }
  return ports;
}

/** True when `redis-server` can be started on this machine. */
export async function canStartRedisServer(): Promise<boolean> {
  const installed = await new Promise<boolean>((resolve) => {
    const child = spawn('redis-server', ['--version'], { stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('exit', (code) => resolve(code === 0));
  });
  if (!installed && (process.env.CI === 'true' || process.env.CI === '1')) {
    throw new Error('redis-server is not installed (CI=true: a missing service is a failure; run `make services`)');
  }
  return installed;
}

async function startServers(count: number, extraArgs: (port: number) => string[]): Promise<RedisServers> {
  const dir = mkdtempSync(join(tmpdir(), 'traced-clients-redis-'));
  const ports = await freePorts(count);
  const children: ChildProcess[] = ports.map((port) =>
    spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
        ...extraArgs(port),
      ],
      { stdio: 'ignore' },
    ),
  );
  // If the test process ends without calling stop() (a crash, a timeout), the servers go too.
  const killAll = () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', killAll);
  const stop = async () => {
    process.removeListener('exit', killAll);
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const port of ports)
      await waitFor(() => tcpReachable(`redis://127.0.0.1:${port}`, 200), `redis-server :${port}`, 15_000, 50);
  } catch (error) {
    await stop();
    throw error;
  }
  return { ports, stop };
}

/** One standalone server that requires `password`. */
export function startPasswordServer(password: string): Promise<RedisServers> {
  return startServers(1, () => ['--requirepass', password]);
}

/** Three cluster-enabled masters sharing the 16384 slots, ready (cluster_state:ok). */
export async function startCluster(): Promise<RedisServers> {
  const servers = await startServers(3, (port) => [
    '--cluster-enabled',
    'yes',
    '--cluster-config-file',
    `nodes-${port}.conf`,
    '--cluster-node-timeout',
    '2000',
  ]);
  const clients = servers.ports.map((port) => new Redis({ port, host: '127.0.0.1', lazyConnect: true }));
  try {
    const ranges: [number, number][] = [
      [0, 5460],
      [5461, 10922],
      [10923, 16383],
    ];
    await Promise.all(clients.map((c, i) => c.call('CLUSTER', 'ADDSLOTSRANGE', ...(ranges[i] as [number, number]))));
    for (const port of servers.ports.slice(1)) await clients[0]?.call('CLUSTER', 'MEET', '127.0.0.1', port);
    await waitFor(
      async () => {
        const infos = await Promise.all(clients.map((c) => c.call('CLUSTER', 'INFO') as Promise<string>));
        return infos.every((info) => info.includes('cluster_state:ok') && info.includes('cluster_known_nodes:3'));
      },
      'cluster_state:ok',
      15_000,
      50,
    );
  } catch (error) {
    await servers.stop();
    throw error;
  } finally {
    for (const c of clients) c.disconnect();
  }
  return servers;
}
