import type { CommandContext, CommandHandler } from '../handler.ts';
import { messageDecider, messageStream } from '../messages/decide.ts';
import { messageFacts } from '../messages/state.ts';
import type { RevoltState } from '../revolts/state.ts';
import type { AckChannel } from './commands.ts';
import { readStatesDecider, readStatesStream } from './decide.ts';

/** Acks a channel up to a message, read from the message's own stream (never a lagging read model). */
export async function ackChannel(commands: CommandHandler, ack: Omit<AckChannel, 'type' | 'message'> & { revolt: RevoltState }, context: CommandContext) {
  const { state } = await commands.load(messageStream(ack.messageId), messageDecider);
  return commands.execute(readStatesStream(ack.userId), readStatesDecider, { type: 'AckChannel', ...ack, message: messageFacts(state) }, context);
}
