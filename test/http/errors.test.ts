import { describe, expect, it } from 'vitest';
import { AppError, conflict, ERROR_CATALOGUE, isCodeWithStatus, ruleBroken } from '../../src/commands/errors.ts';
import { validationDetails } from '../../src/http/errors.ts';

describe('the error catalogue', () => {
  it('gives every error its code’s one status', () => {
    expect(new AppError('payload_too_large', 'big').status).toBe(413);
    expect(conflict('already_owner', 'x').status).toBe(409);
    expect(ruleBroken('owner_cannot_leave', 'x').status).toBe(422);
    for (const [code, { status }] of Object.entries(ERROR_CATALOGUE)) expect(isCodeWithStatus(code, status)).toBe(true);
  });

  it('knows which composed codes it has, and with which status', () => {
    expect(isCodeWithStatus('email_taken', 409)).toBe(true);
    expect(isCodeWithStatus('email_taken', 422)).toBe(false);
    expect(isCodeWithStatus('nickname_taken', 409)).toBe(false);
    expect(isCodeWithStatus('toString', 409)).toBe(false);
  });
});

describe('validation details', () => {
  const issue = (instancePath: string, keyword: string, params: Record<string, unknown> = {}) => ({ instancePath, keyword, message: 'bad', params });

  it('name the path of each issue from its context, without a trailing dot at the root', () => {
    expect(validationDetails('body', [issue('/name', 'too_small'), issue('/', 'invalid_type')])).toEqual([
      { path: 'body.name', message: 'bad' },
      { path: 'body', message: 'bad' },
    ]);
    expect(validationDetails('querystring', [issue('/limit', 'too_big')])).toEqual([{ path: 'querystring.limit', message: 'bad' }]);
    expect(validationDetails('body', [issue('/embeds/0/fields/1/name', 'too_big')])).toEqual([{ path: 'body.embeds.0.fields.1.name', message: 'bad' }]);
  });

  it('name each unknown key with its path, at the root and nested', () => {
    expect(validationDetails('body', [issue('/', 'unrecognized_keys', { keys: ['extra', 'more'] })])).toEqual([
      { path: 'body.extra', message: 'unknown field' },
      { path: 'body.more', message: 'unknown field' },
    ]);
    expect(validationDetails('body', [issue('/settings', 'unrecognized_keys', { keys: ['colour'] })])).toEqual([{ path: 'body.settings.colour', message: 'unknown field' }]);
  });
});
