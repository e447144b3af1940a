import { PushEvent, UnreadablePayloadError } from './domain-events';
import { MAX_KEY_LENGTH, MAX_NAME_LENGTH, storableEvents, storableText } from './storable-events';

function push(edit: (event: PushEvent) => void = () => undefined): PushEvent {
  const event: PushEvent = {
    kind: 'push',
    repository: { externalId: '1', fullName: 'acme/api', name: 'api' },
    ref: 'refs/heads/main',
    commits: [
      {
        sha: 'a'.repeat(40),
        message: 'Fix the build',
        author: { name: 'Ada', email: 'ada@example.com' },
        timestamp: '2026-11-25T12:00:00Z',
        added: [],
        modified: ['README.md'],
        removed: [],
      },
    ],
    deleted: false,
    occurredAt: '2026-11-25T12:00:00Z',
  };
  edit(event);
  return event;
}

describe('storable events', () => {
  it('strips NUL and replaces lone surrogates, keeping pairs', () => {
    expect(storableText('a\u0000b')).toBe('ab');
    expect(storableText('x\ud800y\udc00z')).toBe('x\uFFFDy\uFFFDz');
    expect(storableText('emoji 😀 stays')).toBe('emoji 😀 stays');
    expect(storableText('\udc00\ud800')).toBe('\uFFFD\uFFFD');
  });

  it('cleans every string of every event, in arrays and nested objects too', () => {
    const [event] = storableEvents([
      push((e) => {
        e.commits[0].message = 'fix\u0000 \ud800';
        e.commits[0].modified = ['a\u0000.ts'];
        e.commits[0].author.login = 'ada\u0000';
      }),
    ]) as PushEvent[];
    expect(event.commits[0].message).toBe('fix \uFFFD');
    expect(event.commits[0].modified).toEqual(['a.ts']);
    expect(event.commits[0].author.login).toBe('ada');
  });

  it('cuts names to the bound without splitting a surrogate pair, and drops impossible emails', () => {
    const [event] = storableEvents([
      push((e) => {
        e.repository.fullName = `acme/${'x'.repeat(MAX_NAME_LENGTH - 6)}😀😀`;
        e.commits[0].author.name = 'n'.repeat(9000);
        e.commits[0].author.email = `${'e'.repeat(9000)}@example.com`;
      }),
    ]) as PushEvent[];
    expect(event.repository.fullName).toHaveLength(MAX_NAME_LENGTH - 1);
    expect(event.repository.fullName.endsWith('x')).toBe(true);
    expect(event.commits[0].author.name).toHaveLength(MAX_NAME_LENGTH);
    expect(event.commits[0].author).not.toHaveProperty('email');
  });

  it('refuses an over-long key (id, sha, ref), naming the field', () => {
    expect(() =>
      storableEvents([
        push((e) => {
          e.commits[0].sha = 'a'.repeat(MAX_KEY_LENGTH + 1);
        }),
      ]),
    ).toThrow(
      new UnreadablePayloadError(
        `events[0](push).commits[0].sha is ${MAX_KEY_LENGTH + 1} characters long; an id, hash or ref may have at most ${MAX_KEY_LENGTH}`,
      ),
    );
    expect(() =>
      storableEvents([
        push((e) => {
          e.repository.externalId = '9'.repeat(9000);
        }),
      ]),
    ).toThrow(/events\[0\]\(push\)\.repository\.externalId is 9000 characters/);
  });

  it('leaves clean events equal to what they were', () => {
    const event = push();
    expect(storableEvents([event])).toEqual([event]);
  });
});
