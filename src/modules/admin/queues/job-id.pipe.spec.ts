import { AppError } from '../../../core/http/app-error';
import { ParseJobIdPipe } from './job-id.pipe';

describe('job id path parameters', () => {
  const pipe = new ParseJobIdPipe();

  it('passes job ids through, delivery UUIDs in lower case', () => {
    expect(pipe.transform('42')).toBe('42');
    expect(pipe.transform('metrics-abc')).toBe('metrics-abc');
    expect(pipe.transform('0B7D6C2A-1C9E-4E7A-9F0E-2B1C3D4E5F60')).toBe(
      '0b7d6c2a-1c9e-4e7a-9f0e-2b1c3d4e5f60',
    );
  });

  it.each([
    'meta',
    'events',
    'id',
    'completed',
    'wait',
    'stalled-check',
    'de',
    'metrics',
    'a:b',
    '',
    'x'.repeat(201),
  ])('refuses %p (a BullMQ key name or not an id)', (id) => {
    expect(() => pipe.transform(id)).toThrow(AppError);
  });
});
