import { z } from 'zod';
import { voiceHolderMessageSchema } from '../voice/signalling/protocol.ts';

/**
 * The gateway nodes' control channel (Redis pub/sub `<prefix>:gw:control`): what one node asks of the others.
 * Every node receives every message, its own included.
 */
export const controlChannel = (prefix: string) => `${prefix}:gw:control`;

/** A RESUME claimed `sessionId`: the node whose socket still holds it closes that socket (4011). */
const takeoverSchema = z.object({ type: z.literal('takeover'), sessionId: z.string() });

export const controlMessageSchema = z.discriminatedUnion('type', [takeoverSchema, voiceHolderMessageSchema]);
export type ControlMessage = z.infer<typeof controlMessageSchema>;

export const encodeControl = (message: ControlMessage): string => JSON.stringify(message);

/** The message, or undefined when it is none this node knows (a newer node's); throws on text that is not JSON. */
export function decodeControl(text: string): ControlMessage | undefined {
  const result = controlMessageSchema.safeParse(JSON.parse(text));
  return result.success ? result.data : undefined;
}
