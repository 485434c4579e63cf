import { z } from 'zod';
import { notFound } from '../../commands/errors.ts';
import type { CommandContext } from '../../commands/handler.ts';
import { randomBytesFor } from '../../commands/request-ids.ts';
import { reservationDecider, reservationStream } from '../../commands/reservations/reservation.ts';
import type { Services } from '../../http/services.ts';

export const inviteCodeSchema = z.string().regex(/^[A-Za-z0-9]{6,16}$/, 'an invite code is 6-16 letters and digits');

const INVITE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
function newInviteCode(context: CommandContext): string {
  return [...randomBytesFor(context, 8)].map((b) => INVITE_ALPHABET[b % INVITE_ALPHABET.length]).join('');
}

/** The revolt an invite code currently opens, from the code's reservation stream. */
export async function revoltOfInvite(services: Services, code: string): Promise<string> {
  const { state } = await services.commands.load(reservationStream('invite', code), reservationDecider);
  if (!state.ownerId) throw notFound('invite');
  return state.ownerId;
}

/** A fresh invite code claimed for the revolt (a code someone else holds is drawn again). */
export async function claimInviteCode(services: Services, revoltId: string, context: CommandContext): Promise<string> {
  for (;;) {
    const code = newInviteCode(context);
    const result = await services.commands
      .execute(reservationStream('invite', code), reservationDecider, { type: 'Claim', kind: 'invite', ownerId: revoltId, at: new Date().toISOString() }, context)
      .catch((error: { status?: number }) => (error.status === 409 ? null : Promise.reject(error)));
    if (result) return code;
  }
}
