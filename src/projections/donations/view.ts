import type { Document } from 'mongodb';
import type { DonationEventOf } from '../../commands/donations/events.ts';

/** A donation as the API shows it, before privacy rules are applied. */
export interface DonationRecord {
  id: string;
  amount: number;
  currency: string;
  donor: { userId: string; email: string; name: string; isAnonymous: boolean };
  revolt: { revoltId: string; name: string; icon?: string };
  message?: string;
  isAnonymous: boolean;
  status: 'pending' | 'completed' | 'failed' | 'refunded';
  stripePaymentIntentId: string;
  refundedAmount: number;
  flagged: boolean;
  createdAt: string;
  completedAt?: string;
}

export interface Viewer {
  userId: string;
  isAuditor: boolean;
}

const iso = (value: unknown) => (value instanceof Date ? value.toISOString() : String(value));
const hex = (value: unknown) => (typeof value === 'string' ? value : (value as { toHexString(): string }).toHexString());

export function recordFromDocument(doc: Document): DonationRecord {
  return {
    id: doc.id,
    amount: doc.amount,
    currency: doc.currency,
    donor: { userId: hex(doc.donor.userId), email: doc.donor.email, name: doc.donor.name, isAnonymous: doc.donor.isAnonymous },
    revolt: { revoltId: hex(doc.revolt.revoltId), name: doc.revolt.name, ...(doc.revolt.icon !== undefined && { icon: doc.revolt.icon }) },
    ...(doc.message !== undefined && { message: doc.message }),
    isAnonymous: doc.isAnonymous,
    status: doc.status,
    stripePaymentIntentId: doc.stripePaymentIntentId,
    refundedAmount: doc.refundedAmount ?? 0,
    flagged: doc.flagged ?? false,
    createdAt: iso(doc.createdAt),
    ...(doc.completedAt !== undefined && { completedAt: iso(doc.completedAt) }),
  };
}

export function recordFromPledge(d: DonationEventOf<'DonationPledged'>['data']): DonationRecord {
  return {
    id: d.donationId,
    amount: d.amount,
    currency: d.currency,
    donor: { userId: d.donorId, email: d.donorEmail, name: d.donorName, isAnonymous: d.isAnonymous },
    revolt: { revoltId: d.revoltId, name: d.revoltName, ...(d.revoltIcon !== undefined && { icon: d.revoltIcon }) },
    ...(d.message !== undefined && { message: d.message }),
    isAnonymous: d.isAnonymous,
    status: 'pending',
    stripePaymentIntentId: d.stripePaymentIntentId,
    refundedAmount: 0,
    flagged: false,
    createdAt: d.pledgedAt,
  };
}

/**
 * Privacy: the donor and auditors see everything. Everyone else (revolt members, the owner included) never sees
 * the donor's email, the Stripe ids or the review flag, and sees nothing of an anonymous donor but the flag.
 */
export function donationView(record: DonationRecord, viewer: Viewer) {
  const privileged = viewer.isAuditor || viewer.userId === record.donor.userId;
  const { donor, stripePaymentIntentId, flagged, ...rest } = record;
  if (privileged) return { ...rest, donor, stripePaymentIntentId, flagged };
  return {
    ...rest,
    donor: record.isAnonymous ? { isAnonymous: true } : { userId: donor.userId, name: donor.name, isAnonymous: false },
  };
}
