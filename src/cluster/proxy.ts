import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';

export interface Upstream {
  name: string;
  port: number;
}

/**
 * A small round-robin reverse proxy for the local cluster: HTTP requests and WebSocket upgrades go to the next upstream
 * in turn (one that refuses the connection is skipped for that request). Answers carry `x-cluster-node`, the upstream
 * that served them, so a client and a test can see the rotation.
 */
export function roundRobinProxy(upstreams: readonly Upstream[], host = '127.0.0.1'): Server {
  let next = 0;
  const pick = (skip = 0) => upstreams[(next++ + skip) % upstreams.length]!;

  const forward = (req: IncomingMessage, res: import('node:http').ServerResponse, attempt: number): void => {
    const upstream = pick();
    const outgoing = request({ host, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, { ...answer.headers, 'x-cluster-node': upstream.name });
      answer.pipe(res);
    });
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      // Only a refused connection is retried on the next node: nothing of the request reached the refusing one.
      if (error.code === 'ECONNREFUSED' && attempt + 1 < upstreams.length && !res.headersSent) return forward(req, res, attempt + 1);
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'bad_gateway', message: `no cluster node answered (${upstream.name}: ${error.code ?? error.message})` } }));
    });
    req.pipe(outgoing);
  };

  const server = createServer((req, res) => forward(req, res, 0));
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const upstream = pick();
    const target = connect(upstream.port, host, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      target.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) target.write(head);
      target.pipe(socket).pipe(target);
    });
    const close = () => {
      target.destroy();
      socket.destroy();
    };
    target.on('error', close);
    socket.on('error', close);
    target.on('close', close);
    socket.on('close', close);
  });
  return server;
}
