/**
 * The fields of each event type's data that leave the system in an export, and only those: never an email address,
 * an IP address, a password or token hash, a session, a Stripe secret or a payment intent (a client secret's
 * handle). A type not listed here is not exported at all (sessions, email verification, uniqueness claims, uploads'
 * blob keys, Stripe's own records). Adding a field to an event type exports nothing new until it is listed here.
 */
export const EXPORT_ALLOW_LIST: Readonly<Record<string, readonly string[]>> = {
  UserRegistered: ['userId', 'username', 'discriminator', 'userType', 'joinedAt'],
  UserProfileUpdated: ['userId', 'changes'],
  UserStatusChanged: ['userId', 'status'],
  UserPresenceChanged: ['userId', 'connected', 'presence', 'previousPresence', 'at'],
  EmailVerified: ['userId', 'verifiedAt'],
  RevoltCreated: ['revoltId', 'ownerId', 'name', 'description', 'settings', 'createdAt'],
  RevoltUpdated: ['revoltId', 'changes', 'updatedAt'],
  RevoltDeleted: ['revoltId', 'deletedBy', 'deletedAt'],
  ChannelCreated: ['revoltId', 'channelId', 'name', 'type', 'position', 'categoryId', 'settings', 'createdAt'],
  ChannelUpdated: ['revoltId', 'channelId', 'changes', 'at'],
  ChannelDeleted: ['revoltId', 'channelId', 'at'],
  RoleCreated: ['revoltId', 'roleId', 'name', 'color', 'permissions', 'position', 'isManaged', 'createdAt'],
  MemberJoined: ['revoltId', 'userId', 'isOwner', 'ownerId', 'joinedAt'],
  MemberLeft: ['revoltId', 'userId', 'at'],
  MemberKicked: ['revoltId', 'userId', 'by', 'at'],
  MemberBanned: ['revoltId', 'userId', 'by', 'wasMember', 'at'],
  MemberUnbanned: ['revoltId', 'userId', 'by', 'at'],
  OwnershipTransferred: ['revoltId', 'from', 'to', 'at'],
  MessageSent: ['messageId', 'channelId', 'revoltId', 'authorId', 'type', 'replyTo', 'mentionEveryone', 'createdAt'],
  MessageEdited: ['messageId', 'channelId', 'revoltId', 'editedBy', 'editedAt'],
  MessageDeleted: ['messageId', 'channelId', 'revoltId', 'deletedBy', 'deletedAt'],
  ReactionAdded: ['messageId', 'channelId', 'revoltId', 'emoji', 'userId', 'authorId', 'at'],
  ReactionRemoved: ['messageId', 'channelId', 'revoltId', 'emoji', 'userId', 'authorId', 'at'],
  DonationPledged: ['donationId', 'revoltId', 'ownerId', 'donorId', 'amount', 'currency', 'isAnonymous', 'pledgedAt'],
  DonationCompleted: ['donationId', 'revoltId', 'donorId', 'ownerId', 'currency', 'amount', 'completedAt'],
  DonationFailed: ['donationId', 'failureCode', 'failedAt'],
  DonationRefunded: ['donationId', 'revoltId', 'donorId', 'ownerId', 'currency', 'amount', 'refundedTotal', 'full', 'refundedAt'],
  VoiceSessionStarted: ['sessionId', 'revoltId', 'channelId', 'startedAt'],
  VoiceParticipantJoined: ['sessionId', 'revoltId', 'channelId', 'userId', 'video', 'screenShare', 'joinedAt'],
  VoiceParticipantLeft: ['sessionId', 'revoltId', 'channelId', 'userId', 'reason', 'joinedAt', 'leftAt', 'durationMs', 'screenShareMs'],
  VoiceSessionEnded: ['sessionId', 'revoltId', 'channelId', 'startedAt', 'endedAt', 'durationMs'],
  LetterPublished: ['letterId', 'book', 'order', 'title', 'revision', 'at'],
  LetterRevised: ['letterId', 'book', 'order', 'title', 'revision', 'at'],
  LetterRetired: ['letterId', 'at'],
  AssignmentSubmitted: ['userId', 'letterId', 'assignmentId', 'kind', 'passed', 'attempts', 'at'],
  LetterCompleted: ['userId', 'letterId', 'at'],
  CourseCompleted: ['userId', 'at'],
  UserFollowed: ['followerId', 'followeeId', 'at'],
  UserUnfollowed: ['followerId', 'followeeId', 'at'],
  AchievementUnlocked: ['userId', 'achievementId', 'name', 'category', 'rarity', 'unlockedAt'],
  PersonalInviteSent: ['inviteId', 'kind', 'revoltId', 'channelId', 'inviterId', 'inviteeId', 'sentAt'],
  PersonalInviteAccepted: ['inviteId', 'inviteeId', 'acceptedAt'],
  PersonalInviteDeclined: ['inviteId', 'inviteeId', 'declinedAt'],
};

/** The event's data with only its type's allowed fields (in the allow-list's order), or null when the type is not exported. */
export function exportedData(type: string, data: unknown): Record<string, unknown> | null {
  const fields = EXPORT_ALLOW_LIST[type];
  if (!fields) return null;
  const source = (data ?? {}) as Record<string, unknown>;
  return Object.fromEntries(fields.filter((field) => source[field] !== undefined).map((field) => [field, source[field]]));
}
