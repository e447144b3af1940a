// Shapes of the /api/v1 answers the dashboard reads (see the DTOs under src/modules).

export interface WindowView {
  from: string;
  to: string;
}

interface LevelView {
  level: string | null;
  reason?: string;
}

export interface DoraFigures {
  window: WindowView;
  deploymentFrequency: {
    deployments: number;
    deploymentDays: number;
    perWeek: number | null;
    bucket: string | null;
    reason?: string;
  };
  leadTimeForChanges: {
    medianSeconds: number | null;
    p90Seconds: number | null;
    changes: number;
    baselineDeployments: number;
  };
  changeFailureRate: { ratio: number | null; failedDeployments: number; deployments: number };
  failedDeploymentRecoveryTime: { medianSeconds: number | null; recoveries: number };
  deploymentReworkRate: { ratio: number | null; reworkDeployments: number; deployments: number };
  levels: {
    thresholdSet: string;
    deploymentFrequency: LevelView;
    leadTimeForChanges: LevelView;
    changeFailureRate: LevelView;
    failedDeploymentRecoveryTime: LevelView;
    deploymentReworkRate: LevelView;
  };
}

export interface DoraView extends DoraFigures {
  definitions: Record<string, string>;
}

export interface DoraSeries {
  window: WindowView;
  interval: string;
  series: DoraFigures[];
  definitions: Record<string, string>;
}

export interface MetricDeployment {
  id: string;
  repositoryFullName: string;
  environment: string;
  sha: string;
  outcome: string;
  finishedAt: string;
  baseline: boolean;
  recovery: { seconds: number | null } | null;
  changes: Array<{ sha: string; leadSeconds: number; pullRequestNumber: number | null }>;
}

export interface MetricDeploymentPage {
  items: MetricDeployment[];
  nextCursor: string | null;
}

export interface DurationStats {
  medianSeconds: number | null;
  p90Seconds: number | null;
  pullRequests: number;
}

export interface PullRequestFlow {
  window: WindowView;
  pullRequests: number;
  codingTime: DurationStats;
  pickupTime: DurationStats;
  reviewTime: DurationStats;
  deployTime: DurationStats;
  cycleTime: DurationStats;
  reviewsPerPullRequest: { mean: number | null; median: number | null };
  reviewTurnaround: Array<{
    identityId: string;
    login: string | null;
    reviews: number;
    medianSeconds: number;
  }>;
  definitions: Record<string, string>;
}

export interface PullRequestPhases {
  pullRequestId: string;
  repositoryFullName: string;
  number: number;
  title: string;
  mergedAt: string;
  codingSeconds: number | null;
  pickupSeconds: number | null;
  reviewSeconds: number | null;
  deploySeconds: number | null;
  cycleSeconds: number | null;
  reviews: number;
}

export interface Paged<T> {
  items: T[];
  nextCursor: string | null;
}

export interface OpenPullRequest {
  id: string;
  repositoryFullName: string;
  number: number;
  title: string;
  draft: boolean;
  createdAt: string;
  author: { login: string | null } | null;
  url: string | null;
}

export interface DeliverySummary {
  id: string;
  provider: string;
  source: string;
  providerDeliveryId: string;
  event: string;
  action: string | null;
  repository: string | null;
  status: string;
  attempts: number;
  lastError: string | null;
  bodySize: number;
  receivedAt: string;
  queuedAt: string | null;
  processedAt: string | null;
}

export interface DeliveryDetail extends DeliverySummary {
  headers: Record<string, string>;
  contentType: string;
  body: string | null;
}

export interface QueueOverview {
  name: string;
  paused: boolean;
  counts: Record<string, number>;
  oldestWaitingAgeSeconds: number | null;
  failureRate: number | null;
  throughput: { lastHour: { completed: number; failed: number } };
}

export interface DeadLetter {
  id: string;
  provider: string;
  event: string;
  repository: string | null;
  attempts: number;
  lastError: string | null;
  updatedAt: string;
}

export interface Problem {
  id: string;
  ciJobId: string;
  tool: string;
  severity: string;
  code: string | null;
  message: string;
  file: string | null;
  line: number | null;
  testName: string | null;
  newInPullRequest: boolean | null;
  flaky: boolean;
  firstSeenSha: string | null;
}

export interface CodeMatch {
  repository: string;
  path: string;
  ref: string;
  commitSha: string;
  line: number;
  preview: { text: string; before: string[]; after: string[] };
  ranges: Array<[number, number]>;
}

export interface SymbolHit {
  repository: string;
  path: string;
  line: number;
  name: string;
  kind: string;
  language: string;
}

export interface IndexedFile {
  repository: string;
  path: string;
  ref: string;
  commitSha: string;
  language: string | null;
  content: string;
}

export interface RepositorySummary {
  id: string;
  fullName: string;
}
