/**
 * The error catalogue of the API: every code it answers with, the one status that code has, and what it means,
 * kept in one place as Fastify keeps its own (docs/api-errors.md is checked against it by a test). Deciders raise
 * most of these codes, so the catalogue sits beside them rather than in src/http/ (the domain may not import the
 * HTTP kit); the kit renders them (src/http/errors.ts). A code that is not listed here does not compile.
 */
export const ERROR_CATALOGUE = {
  invalid_request: { status: 400, description: 'The request is malformed or fails validation; `details` lists each problem with its `path` (`body.name`, `querystring.limit`).' },
  cannot_follow_self: { status: 400, description: 'A user cannot follow or unfollow themself.' },
  missing_signature: { status: 400, description: 'A Stripe webhook came without its signature header.' },
  invalid_signature: { status: 400, description: 'A Stripe webhook signature does not match any configured secret.' },
  stale_signature: { status: 400, description: 'A Stripe webhook signature is too old to be accepted.' },
  unauthorized: { status: 401, description: 'No valid bearer token (or wrong email or password at login).' },
  forbidden: { status: 403, description: 'The caller may see the resource but lacks a permission; `details.missing` names what they lack.' },
  voice_access_lost: { status: 403, description: 'The caller may no longer be in the voice channel and has been disconnected from it.' },
  feature_locked: { status: 403, description: 'A feature unlocked by a letter of the course the caller has not completed; `details.letterId` names it.' },
  verification_required: { status: 403, description: "The revolt's verification level asks more of the caller's account than it has yet: `details.level`, `details.missing` (`verified_email`, `account_age`, `membership_age`) and, when time alone will meet them, `details.availableAt`." },
  invites_blocked: { status: 403, description: 'The invited user accepts personal invites only from members of revolts they are in.' },
  letter_locked: { status: 403, description: 'A letter whose prerequisites the caller has not completed; `details.missing` lists them.' },
  not_found: { status: 404, description: 'No such resource, or one the caller may not see.' },
  donation_not_found: { status: 404, description: 'A Stripe webhook about a donation not recorded (yet); Stripe retries it.' },
  already_exists: { status: 409, description: 'The resource exists already (a retried create with other content, a taken email or name).' },
  already_member: { status: 409, description: 'The invited user is a member of the revolt already.' },
  already_owner: { status: 409, description: 'The user owns the revolt already.' },
  already_verified: { status: 409, description: 'The email address is verified already.' },
  concurrency_conflict: { status: 409, description: 'Someone else changed the resource at the same moment; retry the request.' },
  request_in_progress: { status: 409, description: 'A request with this Idempotency-Key is still running; retry after `Retry-After` seconds.' },
  username_unavailable: { status: 409, description: 'Every discriminator of this username is taken; choose another username.' },
  verification_token_used: { status: 409, description: 'The verification link has verified the address already; a link works once.' },
  personal_invite_pending: { status: 409, description: 'The caller has an open invite to this user for the same revolt or channel; `details.inviteId` names it.' },
  personal_invite_answered: { status: 409, description: 'The personal invite was accepted or declined already (the other way).' },
  letter_completed: { status: 409, description: 'The letter is completed already.' },
  letter_exists: { status: 409, description: 'A letter with this number is published already.' },
  email_taken: { status: 409, description: 'Another account has this email address.' },
  tag_taken: { status: 409, description: 'Another user holds this username#discriminator (registration draws another).' },
  invite_taken: { status: 409, description: 'Another revolt holds this invite code (a new code is drawn).' },
  stripe_payment_intent_taken: { status: 409, description: 'A payment intent recorded for another donation (the pledge resolves it).' },
  donation_pledge_taken: { status: 409, description: 'An Idempotency-Key already used for another pledge (the pledge resolves it).' },
  payload_too_large: { status: 413, description: 'The body (or uploaded file) is larger than the limit; `details.maxBytes` gives it where known.' },
  uri_too_long: { status: 414, description: 'The URL, or one of its path parameters, is too long.' },
  unsupported_media_type: { status: 415, description: 'The body is of a content type this route does not accept (JSON, or multipart for uploads).' },
  allow_deny_overlap: { status: 422, description: 'A permission overwrite allows and denies the same permission.' },
  amount_out_of_range: { status: 422, description: 'A donation amount outside the limits of its currency.' },
  assignments_incomplete: { status: 422, description: 'A letter cannot be completed before its assignments are submitted.' },
  attachment_not_found: { status: 422, description: 'A message names an attachment that was never uploaded.' },
  attachment_not_owned: { status: 422, description: 'A message names an attachment someone else uploaded.' },
  cannot_ban_self: { status: 422, description: 'A member cannot ban themself.' },
  cannot_invite_self: { status: 422, description: 'A user cannot invite themself.' },
  cannot_kick_self: { status: 422, description: 'A member cannot kick themself (leave instead).' },
  channel_archived: { status: 422, description: 'The channel is archived: nothing new may be posted in it.' },
  content_filtered: { status: 422, description: "The message holds a word or phrase the revolt's content filter blocks; `details.rule` names the filter rule and `details.keyword` what matched." },
  content_too_long: { status: 422, description: 'Text longer than its limit.' },
  currency_not_supported: { status: 422, description: 'A donation in a currency that is not accepted.' },
  donations_disabled: { status: 422, description: 'The revolt does not accept donations: its settings have donationsEnabled false.' },
  default_channel: { status: 422, description: "The revolt's default channel cannot be deleted." },
  duplicate_attachment: { status: 422, description: 'A message names the same attachment twice.' },
  empty_message: { status: 422, description: 'A message without content, embeds or attachments.' },
  everyone_role_fixed: { status: 422, description: 'The @everyone role cannot be renamed, moved or deleted.' },
  everyone_role_implicit: { status: 422, description: 'Every member holds @everyone; it cannot be granted or revoked.' },
  idempotency_key_reused: { status: 422, description: 'This Idempotency-Key was used with a different request.' },
  invalid_course: { status: 422, description: 'A course change that would leave the course inconsistent (prerequisites, order).' },
  invalid_letter: { status: 422, description: 'A letter whose content or assignments are not valid.' },
  invalid_position: { status: 422, description: 'A position outside the range the caller may use.' },
  invitee_cannot_join: { status: 422, description: 'The invited user may not join that voice channel: not a member of its revolt, or cannot view or connect to it.' },
  invites_disabled: { status: 422, description: 'The revolt does not allow invites.' },
  letter_required: { status: 422, description: 'The course needs this letter (others depend on it).' },
  managed_role: { status: 422, description: 'A managed role cannot be changed or granted by hand.' },
  max_members_too_low: { status: 422, description: 'A member limit below the current member count.' },
  member_cannot_view_channel: { status: 422, description: 'The member cannot view that channel.' },
  message_too_long: { status: 422, description: 'A message longer than its limit.' },
  nested_category: { status: 422, description: 'A category cannot be inside another category.' },
  not_a_category: { status: 422, description: 'The named channel is not a category.' },
  not_a_text_channel: { status: 422, description: 'The channel is not a text channel.' },
  not_a_voice_channel: { status: 422, description: 'The channel is not a voice or video channel.' },
  not_in_voice: { status: 422, description: 'The user is not in this voice channel.' },
  not_refundable: { status: 422, description: 'The donation is not completed, or is refunded already.' },
  owner_cannot_leave: { status: 422, description: 'The owner cannot leave their revolt; transfer ownership first.' },
  personal_invite_expired: { status: 422, description: 'The personal invite has expired.' },
  reflection_too_short: { status: 422, description: 'A reflection shorter than the assignment asks.' },
  reply_target_missing: { status: 422, description: 'A reply to a message that does not exist in this channel.' },
  revolt_full: { status: 422, description: 'The revolt has reached its member limit.' },
  screen_share_not_enabled: { status: 422, description: 'Screen sharing is not enabled in this channel.' },
  settings_not_applicable: { status: 422, description: 'Settings that do not apply to this kind of channel.' },
  too_many_attachments: { status: 422, description: 'More attachments than a message may carry.' },
  too_many_channels: { status: 422, description: 'More channels than a revolt may have.' },
  too_many_embeds: { status: 422, description: 'More embeds than a message may carry.' },
  too_many_overwrites: { status: 422, description: 'More permission overwrites than a channel may have.' },
  too_many_pins: { status: 422, description: 'More pins than a channel may have.' },
  too_many_reactions: { status: 422, description: 'More distinct reactions than a message may have.' },
  too_many_roles: { status: 422, description: 'More roles than a revolt may have.' },
  unknown_achievement: { status: 422, description: 'No achievement has this id.' },
  verification_token_expired: { status: 422, description: 'The verification link has expired (`details.expiredAt`); ask for a new one.' },
  verification_token_invalid: { status: 422, description: 'The verification token is not one this server issued.' },
  verification_token_superseded: { status: 422, description: 'A newer verification mail was sent; only its link verifies.' },
  video_not_enabled: { status: 422, description: 'Video is not enabled in this channel.' },
  voice_channel_full: { status: 422, description: 'The voice channel has reached its participant limit.' },
  rate_limited: { status: 429, description: 'Too many requests; retry after `Retry-After` seconds.' },
  internal_error: { status: 500, description: 'A failure on the server; it has been logged.' },
  payment_provider_error: { status: 502, description: 'Stripe failed or answered something unexpected; nothing was recorded.' },
  unavailable: { status: 503, description: 'A read model has not caught up within the bounded wait; retry after `Retry-After` seconds.' },
} as const satisfies Record<string, { status: number; description: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;
/** The codes that answer with `status`. */
export type CodeWithStatus<S extends number> = { [C in ErrorCode]: (typeof ERROR_CATALOGUE)[C]['status'] extends S ? C : never }[ErrorCode];

/** Whether `code` is in the catalogue with `status` (for codes composed at run time). */
export function isCodeWithStatus<S extends number>(code: string, status: S): code is CodeWithStatus<S> {
  return Object.hasOwn(ERROR_CATALOGUE, code) && ERROR_CATALOGUE[code as ErrorCode].status === status;
}

/**
 * The one error shape of the API: `{ error: { code, message, details? } }`, with the status its code has in the
 * catalogue. Deciders throw these for broken rules; the HTTP layer renders them.
 */
export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'AppError';
    this.status = ERROR_CATALOGUE[code].status;
  }
}

export const badRequest = (message: string, details?: unknown) => new AppError('invalid_request', message, details);
export const unauthorized = (message = 'authentication required') => new AppError('unauthorized', message);
export const forbidden = (message: string, details?: unknown) => new AppError('forbidden', message, details);
export const notFound = (what: string) => new AppError('not_found', `${what} not found`);
export const conflict = (code: CodeWithStatus<409>, message: string, details?: unknown) => new AppError(code, message, details);
export const ruleBroken = (code: CodeWithStatus<422>, message: string, details?: unknown) => new AppError(code, message, details);
export const tooManyRequests = (message: string, retryAfterSeconds: number, details?: unknown) =>
  new AppError('rate_limited', message, details, { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) });
export const unavailable = (message: string, retryAfterSeconds: number) =>
  new AppError('unavailable', message, undefined, { 'retry-after': String(retryAfterSeconds) });
