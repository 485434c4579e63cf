import type { Config } from '../config.ts';
import { SocketConnection, type SocketData } from './connection.ts';
import { CloseCode, frame, Op } from './protocol.ts';
import { loadUws, type TemplatedApp, type us_listen_socket, type Uws } from './uws.ts';

/** uSockets' LIBUS_LISTEN_EXCLUSIVE_PORT. */
const LISTEN_EXCLUSIVE_PORT = 1;

export type SocketSettings = Pick<Config, 'GATEWAY_HEARTBEAT_MS' | 'GATEWAY_IDENTIFY_TIMEOUT_MS' | 'GATEWAY_MAX_BUFFERED_BYTES'>;

/** What the server hands to the node: the frames of each socket, and its end. */
export interface SocketHandlers {
  frame(connection: SocketConnection, text: string): void;
  closed(connection: SocketConnection): void;
  /** What `GET /gateway/health` answers. */
  health(): unknown;
}

/**
 * The uWebSockets.js server of a gateway node: the sockets at /gateway (HELLO on open, then their frames handed
 * on), `GET /gateway/health`, and the sweep that closes sockets silent past their deadlines.
 */
export class SocketServer {
  readonly connections = new Set<SocketConnection>();
  port = 0;
  private readonly uws: Uws;
  private readonly app: TemplatedApp;
  private listenSocket: us_listen_socket | undefined;
  private closing = false;
  private sweepTimer: NodeJS.Timeout | undefined;
  /** How often the connections are swept, and when they last were (see sweep). */
  private sweepEvery = 1000;
  private lastSweep = Date.now();

  constructor(
    private readonly settings: SocketSettings,
    private readonly handlers: SocketHandlers,
  ) {
    this.uws = loadUws();
    this.app = this.uws.App();
  }

  /** Serves /gateway on `host:port` (0: a free port, then in `port`); fails if the port is taken. */
  async listen(host: string, port: number): Promise<void> {
    this.routes();
    // uSockets binds with SO_REUSEPORT unless told otherwise: a second gateway (a stale dev process, say) would share
    // the port silently and take half the connections. Exclusive, so a taken port fails here. The (host, port,
    // options, cb) form exists in the binding but not in its .d.ts.
    const listen = this.app.listen as unknown as (host: string, port: number, options: number, cb: (socket: us_listen_socket | false) => void) => void;
    this.listenSocket = await new Promise<us_listen_socket>((resolve, reject) =>
      listen.call(this.app, host, port, LISTEN_EXCLUSIVE_PORT, (socket) =>
        socket ? resolve(socket) : reject(Object.assign(new Error(`the gateway could not listen on ${host}:${port} (in use?)`), { code: 'EADDRINUSE', port })),
      ),
    );
    this.port = this.uws.us_socket_local_port(this.listenSocket as never);
    this.sweepEvery = Math.max(50, Math.min(1000, Math.floor(this.settings.GATEWAY_HEARTBEAT_MS / 4)));
    this.lastSweep = Date.now();
    this.sweepTimer = setInterval(() => this.sweep(), this.sweepEvery);
  }

  /** Sends `message` to every socket subscribed to `topic` (u:<id>, rv:<id>, ch:<id>: see dispatcher.ts). */
  publish(topic: string, message: string): void {
    this.app.publish(topic, message);
  }

  /** Stops listening and tells every client to RECONNECT (and resume elsewhere), closing its socket. */
  shutDown(): void {
    this.closing = true;
    clearInterval(this.sweepTimer);
    if (this.listenSocket) this.uws.us_listen_socket_close(this.listenSocket);
    this.listenSocket = undefined;
    for (const connection of [...this.connections]) {
      connection.send(frame(Op.RECONNECT));
      connection.close(CloseCode.SERVICE_RESTART, 'gateway restarting: resume');
    }
  }

  private routes(): void {
    const { GATEWAY_HEARTBEAT_MS: heartbeat, GATEWAY_MAX_BUFFERED_BYTES: maxBuffered } = this.settings;
    const idleTimeout = Math.min(960, Math.max(8, 4 * Math.ceil((3 * heartbeat) / 4000)));
    this.app.ws<SocketData>('/gateway', {
      maxPayloadLength: 16 * 1024,
      // uWS drops sends past this; we close a socket once past maxBuffered and stop writing to it, so a drop only
      // happens within one frame bigger than maxBuffered, and the close frame (4010) still fits.
      maxBackpressure: Math.max(64 * 1024, maxBuffered * 2),
      closeOnBackpressureLimit: 0,
      idleTimeout,
      sendPingsAutomatically: true,
      compression: this.uws.DISABLED,
      upgrade: (res, req, context) => {
        if (this.closing) {
          res.writeStatus('503 Service Unavailable').end('gateway shutting down');
          return;
        }
        res.upgrade<SocketData>(
          { connection: new SocketConnection(maxBuffered) },
          req.getHeader('sec-websocket-key'),
          req.getHeader('sec-websocket-protocol'),
          req.getHeader('sec-websocket-extensions'),
          context,
        );
      },
      open: (ws) => {
        const connection = ws.getUserData().connection;
        connection.opened(ws);
        this.connections.add(connection);
        connection.send(frame(Op.HELLO, { heartbeatInterval: heartbeat }));
      },
      message: (ws, message, isBinary) => {
        const connection = ws.getUserData().connection;
        if (isBinary) return connection.close(CloseCode.DECODE_ERROR, 'frames are JSON text');
        // The ArrayBuffer is only valid during this call: decode it now.
        this.handlers.frame(connection, Buffer.from(message).toString('utf8'));
      },
      drain: (ws) => ws.getUserData().connection.drainedNow(),
      close: (ws) => {
        const connection = ws.getUserData().connection;
        connection.closed();
        this.connections.delete(connection);
        this.handlers.closed(connection);
      },
    });
    this.app.get('/gateway/health', (res) => {
      res.writeHeader('content-type', 'application/json').end(JSON.stringify(this.handlers.health()));
    });
    this.app.any('/*', (res) => {
      res.writeStatus('404 Not Found').writeHeader('content-type', 'application/json').end('{"error":{"code":"not_found","message":"the gateway is at /gateway"}}');
    });
  }

  /**
   * Identify deadlines and heartbeats: silent connections are zombies. Silence is counted only while this node was
   * listening: a sweep that runs late means the node's own event loop was stalled (a long task, GC, a starved CPU),
   * and whatever the clients sent meanwhile still sits unread in the sockets (timers run before I/O is polled), so
   * the stall is charged to nobody: every deadline moves forward by it. A client silent while the node was running
   * is still closed after 1.5 intervals of that time.
   */
  private sweep(): void {
    const { GATEWAY_IDENTIFY_TIMEOUT_MS: identifyTimeout, GATEWAY_HEARTBEAT_MS: heartbeat } = this.settings;
    const now = Date.now();
    const stalled = now - this.lastSweep - this.sweepEvery;
    this.lastSweep = now;
    if (stalled > this.sweepEvery / 2) {
      for (const connection of this.connections) {
        connection.helloAt = Math.min(now, connection.helloAt + stalled);
        connection.lastBeat = Math.min(now, connection.lastBeat + stalled);
      }
    }
    for (const connection of [...this.connections]) {
      if (connection.phase === 'hello' && now - connection.helloAt > identifyTimeout) {
        connection.close(CloseCode.NOT_AUTHENTICATED, 'no IDENTIFY or RESUME in time');
      } else if (now - connection.lastBeat > heartbeat * 1.5) {
        connection.close(CloseCode.SESSION_TIMED_OUT, 'heartbeat missed: resume');
      }
    }
  }
}
