/** Starts one of `bench/servers/*.mjs` in a worker thread and waits for the port it listens on. */
import { Worker } from 'node:worker_threads';

export interface ThreadServer {
  readonly port: number;
  close(): Promise<void>;
}

export function startServerThread(file: string): Promise<ThreadServer> {
  const worker = new Worker(new URL(`../servers/${file}`, import.meta.url));
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (port: number) => {
      resolve({
        port,
        close: () =>
          new Promise<void>((done) => {
            worker.once('exit', () => done());
            worker.postMessage('close');
          }),
      });
    });
  });
}
