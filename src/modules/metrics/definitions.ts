/** Default per-repository patterns (PostgreSQL regular expressions, case-insensitive). */
export const DEFAULT_PRODUCTION_PATTERN = '^(prod|production)$';
export const DEFAULT_INCIDENT_LABEL_PATTERN = '^incident$';

/** The definitions the figures follow, returned with them and documented in the README. */
export const DORA_DEFINITIONS = {
  productionDeployment:
    "A deployment whose environment is production: the forge says so (GitHub production_environment, GitLab tier 'production') or its name matches the repository's production pattern (default ^(prod|production)$, case-insensitive). Its outcome is its latest final status (success → successful; failure or error → failed) and its time is that status's time. With a CI deployment pattern set (off by default), CI counts too: a successful run (GitHub workflow run, GitLab pipeline, …) on the default branch whose name matches is a successful production deployment at its completion, and so is a successful default-branch job whose name matches, unless its run's name matches as well (the run is then the one deployment). A failed run or job deployed nothing and is not counted; a re-run counts once, at its latest completion. GitHub check suites and check runs are not read (they mirror the workflow runs and jobs).",
  deploymentFrequency:
    'Successful production deployments finished in the window; deploymentDays counts distinct UTC days with one; perWeek = deployments ÷ (window length in weeks). bucket (Four Keys / DevLake): daily if the median ISO week of the window has ≥ 3 deployment days, weekly if it has ≥ 1, monthly if the median calendar month has ≥ 1, else yearly.',
  leadTimeForChanges:
    "For each commit that reached production, from its author time to the first successful production deployment containing it (containment follows push events' before → after links back from the deployed sha, until a sha an earlier successful deployment shipped). A merge or squash commit of a pull request counts from the pull request's first commit (the earliest commit pushed to its head branch). The repository's first successful production deployment is the baseline and gives no lead times. Median and p90 (linear interpolation) over the changes deployed in the window.",
  changeFailureRate:
    "Failed production deployments ÷ all production deployments (successful + failed) finished in the window. A successful deployment counts as failed when an incident is attributed to it: an issue with a label matching the repository's incident pattern (default ^incident$, case-insensitive), attributed to the latest successful production deployment finished before the issue was opened.",
  failedDeploymentRecoveryTime:
    'From the failed deployment to the next successful production deployment (failed by status), or to the close of the last of its incidents (failed by incident). Median over recoveries completed in the window; deployments still failed at the end of the window are listed in open, not averaged.',
  deploymentReworkRate:
    'Successful production deployments that restore a failure (the first successful deployment after one failed by status, or the last one before an attributed incident is closed) ÷ successful production deployments, finished in the window.',
  levels:
    'DORA performance levels by the thresholds of the Accelerate State of DevOps Report 2023 (threshold set "dora-2023"); deployment frequency by its bucket. DORA publishes no levels for the rework rate.',
} as const;

export const PULL_REQUEST_DEFINITIONS = {
  window: 'Pull requests merged in the window.',
  codingTime:
    'First commit (earliest commit pushed to the head branch, no later than the merge) → opened, or → ready for review for drafts.',
  pickupTime:
    'Ready for review → first review or comment by someone other than the author (bots excluded) at or after that time.',
  reviewTime: 'First review (as in pickup) → merged.',
  deployTime: 'Merged → first successful production deployment containing the merge commit.',
  cycleTime: 'First commit → that deployment.',
  size: 'Additions + deletions.',
  reviewsPerPullRequest: 'Reviews by others than the author, bots excluded (mean and median).',
  reviewTurnaround:
    "Per reviewer: ready for review → the reviewer's first review at or after it (median).",
  statistics: 'Medians and p90 with linear interpolation, in seconds.',
} as const;

export const THRESHOLD_SET = 'dora-2023';

export type Level = 'elite' | 'high' | 'medium' | 'low';
export type FrequencyBucket = 'daily' | 'weekly' | 'monthly' | 'yearly';

const HOUR = 3600;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
const MONTH = 30 * DAY;

export function frequencyLevel(bucket: FrequencyBucket): Level {
  switch (bucket) {
    case 'daily':
      return 'elite';
    case 'weekly':
      return 'high';
    case 'monthly':
      return 'medium';
    case 'yearly':
      return 'low';
    default: {
      const unreachable: never = bucket;
      throw new Error(`Unknown bucket ${String(unreachable)}`);
    }
  }
}

/** Elite < 1 day, high ≤ 1 week, medium ≤ 1 month, low beyond. */
export function leadTimeLevel(medianSeconds: number): Level {
  if (medianSeconds < DAY) return 'elite';
  if (medianSeconds <= WEEK) return 'high';
  if (medianSeconds <= MONTH) return 'medium';
  return 'low';
}

/** Elite ≤ 5 %, high ≤ 10 %, medium ≤ 15 %, low beyond. */
export function changeFailureLevel(ratio: number): Level {
  if (ratio <= 0.05) return 'elite';
  if (ratio <= 0.1) return 'high';
  if (ratio <= 0.15) return 'medium';
  return 'low';
}

/** Elite < 1 hour, high < 1 day, medium ≤ 1 week, low beyond. */
export function recoveryLevel(medianSeconds: number): Level {
  if (medianSeconds < HOUR) return 'elite';
  if (medianSeconds < DAY) return 'high';
  if (medianSeconds <= WEEK) return 'medium';
  return 'low';
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const dayMs = DAY * 1000;

/** Monday 00:00 UTC of the ISO week of `ms`. */
function weekStart(ms: number): number {
  const day = Math.floor(ms / dayMs);
  // 1970-01-01 was a Thursday: ISO weekday index 3 (Monday = 0).
  const weekday = (day + 3) % 7;
  return (day - weekday) * dayMs;
}

function monthStart(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

function nextMonth(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/**
 * Four Keys' / DevLake's bucket from the distinct deployment days (epoch ms at 00:00 UTC) of
 * the window [fromMs, toMs): every ISO week and calendar month the window touches counts,
 * also those without deployments.
 */
export function frequencyBucket(days: number[], fromMs: number, toMs: number): FrequencyBucket {
  const perWeek = new Map<number, number>();
  for (let w = weekStart(fromMs); w < toMs; w += WEEK * 1000) perWeek.set(w, 0);
  const perMonth = new Map<number, number>();
  for (let m = monthStart(fromMs); m < toMs; m = nextMonth(m)) perMonth.set(m, 0);
  for (const day of days) {
    const w = weekStart(day);
    perWeek.set(w, (perWeek.get(w) ?? 0) + 1);
    const m = monthStart(day);
    perMonth.set(m, (perMonth.get(m) ?? 0) + 1);
  }
  const weekly = median([...perWeek.values()]);
  if (weekly >= 3) return 'daily';
  if (weekly >= 1) return 'weekly';
  if (median([...perMonth.values()]) >= 1) return 'monthly';
  return 'yearly';
}

export type SeriesInterval = 'day' | 'week' | 'month';

/** Consecutive [start, end) intervals covering [fromMs, toMs), clipped to it. */
export function intervals(
  fromMs: number,
  toMs: number,
  interval: SeriesInterval | undefined,
): Array<[number, number]> {
  if (interval === undefined) return [[fromMs, toMs]];
  const out: Array<[number, number]> = [];
  let start: number;
  let next: (ms: number) => number;
  switch (interval) {
    case 'day':
      start = Math.floor(fromMs / dayMs) * dayMs;
      next = (ms) => ms + dayMs;
      break;
    case 'week':
      start = weekStart(fromMs);
      next = (ms) => ms + WEEK * 1000;
      break;
    case 'month':
      start = monthStart(fromMs);
      next = nextMonth;
      break;
    default: {
      const unreachable: never = interval;
      throw new Error(`Unknown interval ${String(unreachable)}`);
    }
  }
  for (let s = start; s < toMs; s = next(s))
    out.push([Math.max(s, fromMs), Math.min(next(s), toMs)]);
  return out;
}
