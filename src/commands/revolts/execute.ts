import type { FastifyReply, FastifyRequest } from 'fastify';
import { commandContext } from '../../http/context.ts';
import { setEventPosition } from '../../http/read-your-writes.ts';
import type { Services } from '../../http/services.ts';
import { revoltOfChannel } from '../../projections/channels/directory.ts';
import { notFound } from '../errors.ts';
import { revoltDecider, revoltStream, type RevoltCommand } from './decide.ts';
import type { RevoltState } from './state.ts';

/** Runs a command on a revolt for an HTTP request and sets `X-Event-Position`; returns the new state. */
export async function executeOnRevolt(
  services: Services,
  request: FastifyRequest,
  reply: FastifyReply,
  revoltId: string,
  command: RevoltCommand,
): Promise<RevoltState> {
  const result = await services.commands.execute(revoltStream(revoltId), revoltDecider, command, commandContext(request));
  setEventPosition(reply, result.position);
  return result.state;
}

/** The revolt a channel belongs to, or 404. */
export async function channelRevolt(services: Services, channelId: string): Promise<string> {
  const revoltId = await revoltOfChannel(services, channelId);
  if (!revoltId) throw notFound('channel');
  return revoltId;
}
