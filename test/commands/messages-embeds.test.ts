import { describe, expect, it } from 'vitest';
import { messageDecider } from '../../src/commands/messages/decide.ts';
import { embedsInputSchema, linkEmbeds, trimUrl, type EmbedInput } from '../../src/commands/messages/content/embeds.ts';
import { given } from '../support/decider.ts';
import { dataOf, revolt, sendCommand, withEveryone } from './messages-fixture.ts';

const card: EmbedInput = { title: 'Rally', description: 'Saturday', color: '#ff8800', fields: [{ name: 'Where', value: 'Square', inline: true }] };
const noEmbedLinks = withEveryone(revolt, ['VIEW_CHANNEL', 'SEND_MESSAGES', 'READ_MESSAGE_HISTORY', 'ATTACH_FILES']);
const attachment = (contentType: string) => ({ id: 'f'.repeat(24), filename: 'a', url: '/v1/attachments/x/a', size: 1, contentType });

describe('message decider: embeds and attachments', () => {
  it('supplied embeds are carried as rich embeds; they need EMBED_LINKS', () => {
    given(messageDecider)
      .when(sendCommand({ embeds: [card] }))
      .then((events) => expect(dataOf(events)).toMatchObject({ type: 'text', embeds: [{ type: 'rich', ...card }] }));
    given(messageDecider).when(sendCommand({ embeds: [card], revolt: noEmbedLinks })).thenFails(403, 'forbidden');
  });

  it('a message needs content, an embed or an attachment; with embeds only it is of type embed', () => {
    given(messageDecider).when(sendCommand({ content: '' })).thenFails(422, 'empty_message');
    given(messageDecider)
      .when(sendCommand({ content: '', embeds: [card] }))
      .then((events) => expect(dataOf(events)).toMatchObject({ content: '', type: 'embed' }));
  });

  it('links in the content become minimal link embeds (deduplicated, at most 5) for authors with EMBED_LINKS', () => {
    const content = 'see https://a.example/x, https://a.example/x and (https://b.example/y) then <https://quiet.example> http://c.example';
    given(messageDecider)
      .when(sendCommand({ content }))
      .then((events) =>
        expect(dataOf(events)?.embeds).toEqual([
          { type: 'link', url: 'https://a.example/x', fields: [] },
          { type: 'link', url: 'https://b.example/y', fields: [] },
          { type: 'link', url: 'http://c.example', fields: [] },
        ]),
      );
    given(messageDecider).when(sendCommand({ content, revolt: noEmbedLinks })).then((events) => expect(dataOf(events)?.embeds).toBeUndefined());
    const many = Array.from({ length: 8 }, (_, i) => `https://s${i}.example`).join(' ');
    given(messageDecider).when(sendCommand({ content: many })).then((events) => expect(dataOf(events)?.embeds).toHaveLength(5));
    given(messageDecider)
      .when(sendCommand({ content: many, embeds: Array.from({ length: 8 }, () => card) }))
      .then((events) => expect(dataOf(events)?.embeds).toHaveLength(10));
  });

  it('a message without embeds or attachments carries neither field (absent means none)', () => {
    given(messageDecider).when(sendCommand()).then((events) => expect(Object.keys(dataOf(events) ?? {})).not.toContain('embeds'));
  });

  it('attachments need ATTACH_FILES; without content the type follows them', () => {
    const image = attachment('image/png');
    given(messageDecider)
      .when(sendCommand({ content: '', attachments: [image] }))
      .then((events) => expect(dataOf(events)).toMatchObject({ type: 'image', attachments: [image] }));
    given(messageDecider)
      .when(sendCommand({ content: '', attachments: [image, attachment('application/pdf')] }))
      .then((events) => expect(dataOf(events)?.type).toBe('file'));
    given(messageDecider).when(sendCommand({ attachments: [image] })).then((events) => expect(dataOf(events)?.type).toBe('text'));
    const noFiles = withEveryone(revolt, ['VIEW_CHANNEL', 'SEND_MESSAGES']);
    given(messageDecider).when(sendCommand({ attachments: [image], revolt: noFiles })).thenFails(403, 'forbidden');
    given(messageDecider)
      .when(sendCommand({ attachments: Array.from({ length: 11 }, () => image) }))
      .thenFails(422, 'too_many_attachments');
  });
});

describe('embed validation (the send body)', () => {
  const valid = (embeds: unknown) => embedsInputSchema.safeParse(embeds).success;

  it('accepts the seed shape within its limits', () => {
    expect(
      valid([
        {
          title: 't'.repeat(256),
          description: 'd'.repeat(4096 - 300),
          url: 'https://example.org/a?b=c',
          color: '#A1b2C3',
          timestamp: '2026-01-01T10:00:00+02:00',
          thumbnail: { url: 'https://img.example/t.png', width: 80, height: 80 },
          image: { url: 'http://img.example/i.png' },
          author: { name: 'Ann', url: 'https://ann.example', iconUrl: 'https://ann.example/i.png' },
          fields: Array.from({ length: 25 }, (_, i) => ({ name: `f${i}`, value: 'v', inline: i % 2 === 0 })),
          footer: { text: 'bye', iconUrl: 'https://f.example/i.png' },
        },
      ]),
    ).toBe(true);
    expect(embedsInputSchema.parse([{ title: 'x', fields: [{ name: 'n', value: 'v' }] }])[0]?.fields[0]?.inline).toBe(false);
  });

  it.each<[string, unknown]>([
    ['a title over 256', { title: 't'.repeat(257) }],
    ['a description over 4096', { description: 'd'.repeat(4097) }],
    ['a javascript: url', { url: 'javascript:alert(1)' }],
    ['an ftp url', { url: 'ftp://example.org/f' }],
    ['a data: image', { image: { url: 'data:image/png;base64,AAAA' } }],
    ['a named color', { title: 'x', color: 'red' }],
    ['a short hex color', { title: 'x', color: '#fff' }],
    ['a timestamp that is not ISO', { title: 'x', timestamp: 'yesterday' }],
    ['26 fields', { fields: Array.from({ length: 26 }, () => ({ name: 'n', value: 'v' })) }],
    ['a field value over 1024', { fields: [{ name: 'n', value: 'v'.repeat(1025) }] }],
    ['a field name over 256', { fields: [{ name: 'n'.repeat(257), value: 'v' }] }],
    ['a footer over 2048', { footer: { text: 'f'.repeat(2049) } }],
    ['an author name over 256', { author: { name: 'a'.repeat(257) } }],
    ['an unknown key', { title: 'x', script: 'alert(1)' }],
    ['an unknown key inside', { image: { url: 'https://i.example/a.png', onload: 'x' } }],
    ['an empty embed', {}],
    ['a type (only the server sets it)', { title: 'x', type: 'link' }],
  ])('refuses %s', (_, embed) => {
    expect(valid([embed])).toBe(false);
  });

  it('refuses more than 10 embeds, or more than 6000 characters of text between them', () => {
    expect(valid(Array.from({ length: 11 }, () => ({ title: 'x' })))).toBe(false);
    expect(valid(Array.from({ length: 2 }, () => ({ description: 'd'.repeat(3001) })))).toBe(false);
    expect(valid(Array.from({ length: 2 }, () => ({ description: 'd'.repeat(3000) })))).toBe(true);
  });

  it('link embeds: sentence punctuation is not part of a URL, a URL\'s own parentheses are', () => {
    expect(linkEmbeds('https://en.wikipedia.org/wiki/Foo_(bar). and https://x.example/a!').map((e) => e.url)).toEqual([
      'https://en.wikipedia.org/wiki/Foo_(bar)',
      'https://x.example/a',
    ]);
  });
});

describe('link embeds: URL trimming is linear in the length of the URL', () => {
  it('keeps balanced parentheses, drops unbalanced ones and sentence punctuation, mixed in any order', () => {
    expect(trimUrl('https://a.example/Foo_(bar))).')).toBe('https://a.example/Foo_(bar)');
    expect(trimUrl('https://a.example/(a)(b)),;)')).toBe('https://a.example/(a)(b)');
    expect(trimUrl('https://a.example/x?!*~')).toBe('https://a.example/x');
    expect(trimUrl('https://a.example/((x))')).toBe('https://a.example/((x))');
  });

  it('40,000 closing parentheses: the right URL, one step per character dropped (no rescanning)', () => {
    const n = 40_000;
    const meter = { steps: 0 };
    expect(trimUrl(`http://a${')'.repeat(n)}`, meter)).toBe('http://a');
    // Each step drops one character or ends the loop: n drops and the step that stops at `a`.
    expect(meter.steps).toBe(n + 1);

    const mixed = { steps: 0 };
    expect(trimUrl(`http://a/(b${').'.repeat(n)}`, mixed)).toBe('http://a/(b)');
    // 2n characters after `b`, all dropped but the `)` that closes `(b`, and the step that stops at it.
    expect(mixed.steps).toBe(2 * n);
  });

  it('a message of 3,990 parentheses after a URL embeds the bare URL; a run of dots inside a URL stays', () => {
    expect(linkEmbeds(`http://a${')'.repeat(3990)}`).map((e) => e.url)).toEqual(['http://a']);
    expect(linkEmbeds(`see http://a/${'.'.repeat(2000)}b and more`).map((e) => e.url)).toEqual([`http://a/${'.'.repeat(2000)}b`]);
  });
});
