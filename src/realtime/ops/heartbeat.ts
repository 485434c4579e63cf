import type { SocketConnection } from '../connection.ts';
import { frame, Op, type ClientFrameOf } from '../protocol.ts';

/** HEARTBEAT: the socket is alive, and (with a live session) has received the dispatches up to `seq`. */
export function heartbeat(connection: SocketConnection, seq: ClientFrameOf<'HEARTBEAT'>['d'], now: number): void {
  connection.lastBeat = now;
  if (typeof seq === 'number' && connection.session?.state === 'live') connection.session.ack(seq);
  connection.send(frame(Op.HEARTBEAT_ACK));
}
