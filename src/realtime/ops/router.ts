import type { SocketConnection } from '../connection.ts';
import { CloseCode, decodeClientFrame, Op } from '../protocol.ts';
import type { NodeContext } from './context.ts';
import { heartbeat } from './heartbeat.ts';
import { Identify } from './identify.ts';
import { updatePresence } from './presence.ts';
import { resume } from './resume.ts';
import { voiceRequest } from './voice.ts';

/** A client's frames: counted against its rate budget, decoded, and handed to the handler of their op. */
export class OpRouter {
  private readonly identify: Identify;

  constructor(private readonly node: NodeContext) {
    this.identify = new Identify(node);
  }

  frame(connection: SocketConnection, text: string): void {
    const now = Date.now();
    if (!connection.budget(now)) return connection.close(CloseCode.RATE_LIMITED, 'too many frames');
    const decoded = decodeClientFrame(text);
    if ('close' in decoded) return connection.close(decoded.close, decoded.reason);
    const message = decoded.frame;
    switch (message.op) {
      case Op.HEARTBEAT:
        return heartbeat(connection, message.d, now);
      case Op.IDENTIFY:
      case Op.RESUME: {
        if (connection.phase !== 'hello') return connection.close(CloseCode.ALREADY_AUTHENTICATED, 'already authenticated');
        connection.phase = 'authenticating';
        const flow = message.op === Op.IDENTIFY ? this.identify.handle(connection, message.d.token) : resume(this.node, connection, message.d);
        this.node.track(
          flow.catch((error) => {
            this.node.log.error({ err: error }, `gateway ${message.op} failed`);
            connection.close(CloseCode.UNKNOWN_ERROR, 'internal error');
          }),
        );
        return;
      }
      case Op.PRESENCE_UPDATE:
        return updatePresence(this.node, connection, message.d);
      case Op.VOICE_REQUEST:
        return voiceRequest(this.node, connection, message.d);
    }
  }
}
