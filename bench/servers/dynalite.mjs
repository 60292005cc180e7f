// In-memory dynalite (DynamoDB) on 127.0.0.1, run in a worker thread so that its CPU-heavy
// request handling does not share the measured event loop. Posts its port; closes on "close".
import { parentPort } from 'node:worker_threads';
import dynalite from 'dynalite';

const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
parentPort.on('message', (message) => {
  if (message !== 'close') return;
  server.close(() => parentPort.close());
});
