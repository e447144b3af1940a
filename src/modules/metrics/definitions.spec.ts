import {
  changeFailureLevel,
  frequencyBucket,
  frequencyLevel,
  intervals,
  leadTimeLevel,
  recoveryLevel,
} from './definitions';

const day = (iso: string): number => Date.parse(`${iso}T00:00:00Z`);

describe('frequencyBucket (Four Keys / DevLake)', () => {
  // 2026-03-02 is a Monday; the window is four ISO weeks.
  const from = day('2026-03-02');
  const to = day('2026-03-30');

  it('is daily when the median week has three deployment days or more', () => {
    const days = ['03-02', '03-03', '03-04', '03-09', '03-10', '03-11', '03-16', '03-17', '03-18'];
    expect(
      frequencyBucket(
        days.map((d) => day(`2026-${d}`)),
        from,
        to,
      ),
    ).toBe('daily');
  });

  it('is weekly when the median week has one or two', () => {
    // Weeks: 3, 1, 1, 0 days → median (1 + 1) / 2 = 1.
    const days = ['03-02', '03-03', '03-04', '03-10', '03-17'];
    expect(
      frequencyBucket(
        days.map((d) => day(`2026-${d}`)),
        from,
        to,
      ),
    ).toBe('weekly');
  });

  it('counts weeks without deployments: two busy weeks out of four is weekly, not daily', () => {
    // Weeks: 3, 3, 0, 0 → median 1.5.
    const days = ['03-02', '03-03', '03-04', '03-09', '03-10', '03-11'];
    expect(
      frequencyBucket(
        days.map((d) => day(`2026-${d}`)),
        from,
        to,
      ),
    ).toBe('weekly');
  });

  it('is monthly when the median week has none but the median month has one', () => {
    expect(frequencyBucket([day('2026-03-05')], from, to)).toBe('monthly');
  });

  it('is yearly when the median month has none', () => {
    // January to June: one deployment day in one month of six.
    expect(frequencyBucket([day('2026-02-10')], day('2026-01-01'), day('2026-07-01'))).toBe(
      'yearly',
    );
  });
});

describe('DORA 2023 levels', () => {
  it.each([
    ['daily', 'elite'],
    ['weekly', 'high'],
    ['monthly', 'medium'],
    ['yearly', 'low'],
  ] as const)('deployment frequency %s is %s', (bucket, level) => {
    expect(frequencyLevel(bucket)).toBe(level);
  });

  it.each([
    [3600, 'elite'],
    [86_399, 'elite'],
    [86_400, 'high'],
    [7 * 86_400, 'high'],
    [7 * 86_400 + 1, 'medium'],
    [30 * 86_400, 'medium'],
    [30 * 86_400 + 1, 'low'],
  ])('lead time %i s is %s', (seconds, level) => {
    expect(leadTimeLevel(seconds)).toBe(level);
  });

  it.each([
    [0, 'elite'],
    [0.05, 'elite'],
    [0.1, 'high'],
    [0.15, 'medium'],
    [0.16, 'low'],
  ])('change failure rate %f is %s', (ratio, level) => {
    expect(changeFailureLevel(ratio)).toBe(level);
  });

  it.each([
    [3599, 'elite'],
    [3600, 'high'],
    [86_400, 'medium'],
    [7 * 86_400, 'medium'],
    [7 * 86_400 + 1, 'low'],
  ])('recovery %i s is %s', (seconds, level) => {
    expect(recoveryLevel(seconds)).toBe(level);
  });
});

describe('intervals', () => {
  it('is the window itself without an interval', () => {
    expect(intervals(day('2026-03-02'), day('2026-03-09'), undefined)).toEqual([
      [day('2026-03-02'), day('2026-03-09')],
    ]);
  });

  it('cuts ISO weeks (Monday) and clips the first and last to the window', () => {
    const from = Date.parse('2026-03-04T12:00:00Z');
    const to = day('2026-03-17');
    expect(intervals(from, to, 'week')).toEqual([
      [from, day('2026-03-09')],
      [day('2026-03-09'), day('2026-03-16')],
      [day('2026-03-16'), to],
    ]);
  });

  it('cuts calendar months of different lengths', () => {
    expect(intervals(day('2026-01-15'), day('2026-03-02'), 'month')).toEqual([
      [day('2026-01-15'), day('2026-02-01')],
      [day('2026-02-01'), day('2026-03-01')],
      [day('2026-03-01'), day('2026-03-02')],
    ]);
  });

  it('cuts UTC days', () => {
    expect(intervals(day('2026-03-02'), day('2026-03-04'), 'day')).toHaveLength(2);
  });
});
