import type { RevoltState } from '../../revolts/state.ts';

export interface Mentions {
  mentions: string[];
  roleMentions: string[];
  channelMentions: string[];
  mentionEveryone: boolean;
}

const USER = /<@!?([0-9a-f]{24})>/g;
const ROLE = /<@&([0-9a-f]{24})>/g;
const CHANNEL = /<#([0-9a-f]{24})>/g;
const EVERYONE = /(^|\s)@(everyone|here)\b/;

function unique(content: string, pattern: RegExp, keep: (id: string) => boolean): string[] {
  return [...new Set([...content.matchAll(pattern)].map((m) => m[1] as string))].filter(keep);
}

/**
 * Mentions written as `<@userId>`, `<@&roleId>`, `<#channelId>` and `@everyone`/`@here`, kept only when they
 * resolve in this revolt; `@everyone` counts only for authors allowed to MENTION_EVERYONE.
 */
export function parseMentions(content: string, revolt: RevoltState, mayMentionEveryone: boolean): Mentions {
  return {
    mentions: unique(content, USER, (id) => revolt.members.has(id)),
    roleMentions: unique(content, ROLE, (id) => revolt.roles.has(id) && id !== revolt.everyoneRoleId),
    channelMentions: unique(content, CHANNEL, (id) => revolt.channels.has(id)),
    mentionEveryone: mayMentionEveryone && EVERYONE.test(content),
  };
}
