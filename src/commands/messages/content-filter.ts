import { ruleBroken } from '../errors.ts';
import { matchKeyword } from '../revolts/keyword-filter.ts';
import type { RevoltState } from '../revolts/state.ts';

/**
 * The revolt's content filter, as Discord's levels: 0 off, 1 members without roles (the owner aside), 2 everyone.
 * A message (sent or edited) holding one of the revolt's keywords as whole words is refused, naming what matched.
 */
export function assertPassesContentFilter(revolt: RevoltState, authorId: string, content: string): void {
  const { contentFilter: level, contentFilterKeywords: keywords = [] } = revolt.settings;
  if (level === 0 || keywords.length === 0) return;
  if (level === 1 && (authorId === revolt.ownerId || (revolt.members.get(authorId)?.roles.length ?? 0) > 0)) return;
  const keyword = matchKeyword(content, keywords);
  if (keyword !== undefined) {
    throw ruleBroken('content_filtered', "the message holds a word this revolt's content filter blocks", { rule: 'revolt_keywords', keyword, level });
  }
}
