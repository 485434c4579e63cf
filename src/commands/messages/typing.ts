/** The Redis pub/sub channel of ephemeral events (typing, ...) the gateway delivers; they never reach the event store. */
export const ephemeralChannel = (prefix: string) => `${prefix}:ephemeral`;

export interface TypingStarted {
  type: 'TypingStarted';
  channelId: string;
  revoltId: string;
  userId: string;
  at: string;
}
