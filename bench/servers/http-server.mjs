// A keep-alive node:http server answering "ok", run in a worker thread so that it does not share
// the measured event loop. Posts its port; closes on the message "close".
import { createServer } from 'node:http';
import { parentPort } from 'node:worker_threads';

const body = Buffer.from('ok');
const server = createServer((request, response) => {
  request.resume();
  response.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
  response.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
parentPort.on('message', (message) => {
  if (message !== 'close') return;
  server.closeAllConnections();
  server.close(() => parentPort.close());
});
