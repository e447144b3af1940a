import webhookDefinitions, { WebhookDefinition } from '@octokit/webhooks-examples';
import { randomBytes, randomUUID } from 'node:crypto';
import { azurePush, type AzureRepository } from '../fixtures/azure-devops/builders';
import { serverRefsChanged, type ServerRepository } from '../fixtures/bitbucket-server/builders';
import { sleep } from '../support/harness';
import {
  CHAOS_AZURE_USER,
  errorText,
  httpRequest,
  jsonOf,
  PrivatePostgres,
  sign,
  waitFor,
} from './support';

/** One authenticated push delivery (GitHub, Azure DevOps or Bitbucket Data Center). */
export interface PushDelivery {
  /** The webhook route it is sent to. */
  path: string;
  /** What the ledger keys it by: the last `:`-separated part of the stored delivery id. */
  providerDeliveryId: string;
  shas: string[];
  body: Buffer;
  headers: Record<string, string>;
}

type PushPayload = WebhookDefinition<'push'>['examples'][number];

let template: PushPayload | undefined;

function pushTemplate(): PushPayload {
  if (template) return template;
  const push = webhookDefinitions.find(
    (definition): definition is WebhookDefinition<'push'> => definition.name === 'push',
  );
  const example = push?.examples.find((e) => e.commits.length > 0 && e.head_commit !== null);
  if (example === undefined) throw new Error('@octokit/webhooks-examples has no push with commits');
  template = example;
  return example;
}

/**
 * A realistic push (the @octokit/webhooks-examples one) carrying 1–2 commits nobody sent
 * before, to a feature branch (no default-branch indexing follow-ups).
 */
export function pushDelivery(secret: string, branch = 'chaos'): PushDelivery {
  const base = pushTemplate();
  const count = 1 + Math.floor(Math.random() * 2);
  const commits = Array.from({ length: count }, (_, i) => ({
    ...base.commits[0],
    id: randomBytes(20).toString('hex'),
    message: `chaos commit ${i + 1}`,
    timestamp: new Date().toISOString(),
  }));
  const payload: PushPayload = {
    ...base,
    ref: `refs/heads/${branch}`,
    before: base.after,
    after: commits[commits.length - 1].id,
    commits,
    head_commit: commits[commits.length - 1],
  };
  const body = Buffer.from(JSON.stringify(payload));
  const providerDeliveryId = randomUUID();
  return {
    path: '/webhooks/github',
    providerDeliveryId,
    shas: commits.map((c) => c.id),
    body,
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-github-delivery': providerDeliveryId,
      'x-github-hook-id': '4242',
      'x-hub-signature-256': sign(body, secret),
      'user-agent': 'GitHub-Hookshot/chaos',
    },
  };
}

const AZURE_REPOSITORY: AzureRepository = {
  id: '5f0c3d2e-8a71-4c55-9b0e-6d1f2a3b4c5d',
  name: 'chaos',
  project: {
    id: '0e9d8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c6b',
    name: 'Chaos',
    orgUrl: 'https://dev.azure.com/chaos',
  },
};

/** An Azure DevOps `git.push` of 1–2 fresh commits, with the deployment's Basic credentials. */
export function azurePushDelivery(secret: string): PushDelivery {
  const shas = Array.from({ length: 1 + Math.floor(Math.random() * 2) }, () =>
    randomBytes(20).toString('hex'),
  );
  const eventId = randomUUID();
  const now = new Date().toISOString();
  const payload = azurePush(
    AZURE_REPOSITORY,
    {
      pushId: Math.floor(Math.random() * 2 ** 31),
      date: now,
      pushedBy: {
        id: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
        displayName: 'Chaos',
        uniqueName: 'chaos@example.test',
      },
      refUpdates: [
        {
          name: 'refs/heads/chaos',
          oldObjectId: randomBytes(20).toString('hex'),
          newObjectId: shas[0],
        },
      ],
      // Newest first.
      commits: shas.map((sha, i) => ({
        sha,
        message: `chaos commit ${i + 1}`,
        author: { name: 'Chaos', email: 'chaos@example.test' },
        date: now,
      })),
    },
    { id: eventId, subscriptionId: '3c2b1a0f-9e8d-4c7b-a6f5-e4d3c2b1a0f9', createdDate: now },
  );
  return {
    path: '/webhooks/azure-devops',
    providerDeliveryId: eventId,
    shas,
    body: Buffer.from(JSON.stringify(payload)),
    headers: {
      'content-type': 'application/json; charset=utf-8',
      authorization: `Basic ${Buffer.from(`${CHAOS_AZURE_USER}:${secret}`).toString('base64')}`,
      'user-agent': 'VSServices/chaos',
    },
  };
}

const SERVER_REPOSITORY: ServerRepository = {
  id: 4242,
  slug: 'chaos',
  name: 'Chaos',
  projectKey: 'CHAOS',
  projectId: 42,
  baseUrl: 'https://bitbucket.chaos.test',
};

/** A Bitbucket Data Center `repo:refs_changed` (which lists no commits), signed. */
export function serverPushDelivery(secret: string): PushDelivery {
  const requestId = randomUUID();
  const payload = serverRefsChanged(SERVER_REPOSITORY, {
    actor: { id: 7, name: 'chaos', displayName: 'Chaos', emailAddress: 'chaos@example.test' },
    date: new Date().toISOString().replace(/\.\d+Z$/, '+0000'),
    changes: [
      {
        ref: 'refs/heads/chaos',
        fromHash: randomBytes(20).toString('hex'),
        toHash: randomBytes(20).toString('hex'),
        type: 'UPDATE',
      },
    ],
  });
  const body = Buffer.from(JSON.stringify(payload));
  return {
    path: '/webhooks/bitbucket-server',
    providerDeliveryId: requestId,
    shas: [],
    body,
    headers: {
      'content-type': 'application/json; charset=UTF-8',
      'x-event-key': 'repo:refs_changed',
      'x-request-id': requestId,
      'x-hub-signature': sign(body, secret),
      'user-agent': 'Bitbucket-chaos',
    },
  };
}

/** The load's mix: three GitHub pushes, then one Azure DevOps and one Bitbucket Data Center. */
export function mixedPushDelivery(secret: string, index: number): PushDelivery {
  switch (index % 5) {
    case 3:
      return azurePushDelivery(secret);
    case 4:
      return serverPushDelivery(secret);
    default:
      return pushDelivery(secret);
  }
}

/** What the sender saw: every answer by status, and which deliveries were accepted. */
export class Ledger {
  readonly sent = new Map<string, PushDelivery>();
  /** delivery uuid (our answer) → the delivery and when it was accepted */
  readonly accepted = new Map<string, { delivery: PushDelivery; at: number }>();
  readonly statuses = new Map<string, number>();
  duplicates = 0;
  networkErrors = 0;

  count(key: string): void {
    this.statuses.set(key, (this.statuses.get(key) ?? 0) + 1);
  }

  acceptedIdsBefore(at: number): string[] {
    return [...this.accepted].filter(([, a]) => a.at <= at).map(([id]) => id);
  }

  /** Statuses that no answer to a well-formed, signed delivery may have. */
  unexpected(allowed: number[]): string[] {
    return [...this.statuses]
      .filter(([status]) => !allowed.includes(Number(status)) && status !== 'error')
      .map(([status, n]) => `${n}× HTTP ${status}`);
  }

  summary(): string {
    return [...this.statuses]
      .sort()
      .map(([status, n]) => `${status}×${n}`)
      .join(' ');
  }
}

export async function send(port: number, delivery: PushDelivery, ledger: Ledger): Promise<number> {
  ledger.sent.set(delivery.providerDeliveryId, delivery);
  try {
    const answer = await httpRequest(port, 'POST', delivery.path, {
      body: delivery.body,
      headers: delivery.headers,
      timeoutMs: 20_000,
    });
    ledger.count(String(answer.status));
    const json = jsonOf(answer);
    if (answer.status === 202 && typeof json === 'object' && json !== null && 'id' in json) {
      ledger.accepted.set(String(json.id), { delivery, at: Date.now() });
    } else if (answer.status === 200) {
      ledger.duplicates += 1;
    }
    return answer.status;
  } catch {
    ledger.count('error');
    ledger.networkErrors += 1;
    return 0;
  }
}

/** Faults never overlap: each one starts once the previous one has finished. */
function runAfter(previous: Array<Promise<void>>, run: () => Promise<void>): Promise<void> {
  const last = previous[previous.length - 1] ?? Promise.resolve();
  return last.catch(() => undefined).then(run);
}

/**
 * Sends `deliveries` at a steady `ratePerS` with at most `concurrency` in flight. The
 * callbacks at `faults` fire (without blocking the load) once that many have been sent.
 */
export async function steadyLoad(options: {
  port: number;
  deliveries: PushDelivery[];
  ratePerS: number;
  concurrency: number;
  ledger: Ledger;
  faults?: Array<{ afterSent: number; run: () => Promise<void> }>;
}): Promise<{ seconds: number; faults: Array<Promise<void>> }> {
  const { port, deliveries, ratePerS, concurrency, ledger } = options;
  const pendingFaults = [...(options.faults ?? [])].sort((a, b) => a.afterSent - b.afterSent);
  const faultRuns: Array<Promise<void>> = [];
  const inFlight = new Set<Promise<number>>();
  const started = Date.now();
  for (const [index, delivery] of deliveries.entries()) {
    while (pendingFaults.length > 0 && pendingFaults[0].afterSent <= index) {
      const fault = pendingFaults.shift();
      if (fault) faultRuns.push(runAfter(faultRuns, fault.run));
    }
    const due = started + (index * 1000) / ratePerS;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait);
    while (inFlight.size >= concurrency) await Promise.race(inFlight);
    const request = send(port, delivery, ledger);
    inFlight.add(request);
    void request.finally(() => inFlight.delete(request));
  }
  for (const fault of pendingFaults) faultRuns.push(runAfter(faultRuns, fault.run));
  await Promise.all(inFlight);
  return { seconds: (Date.now() - started) / 1000, faults: faultRuns };
}

const FINAL = ['processed', 'ignored', 'dead'];

/** Milliseconds from `since` until every one of `ids` has reached a final status. */
export async function recoveryTime(
  pg: PrivatePostgres,
  database: string,
  ids: string[],
  since: number,
  boundMs: number,
): Promise<number> {
  await waitFor(
    `${ids.length} deliveries to reach a final status`,
    boundMs,
    async () => {
      const [row] = await pg.query<{ n: string }>(
        database,
        `SELECT count(*) AS n FROM deliveries WHERE id = ANY($1::uuid[]) AND status = ANY($2)`,
        [ids, FINAL],
      );
      return Number(row.n) === ids.length ? true : undefined;
    },
    250,
  );
  return Date.now() - since;
}

export interface Verdict {
  accepted: number;
  processed: number;
  lost: number;
  doubled: number;
  problems: string[];
  maxAttempts: number;
  storedNotAccepted: number;
}

/**
 * Waits (bounded) for every stored delivery to settle, then counts: accepted but not
 * `processed` (lost), and domain rows beyond one per commit sent (doubled).
 */
export async function verify(
  pg: PrivatePostgres,
  database: string,
  ledger: Ledger,
  boundMs: number,
): Promise<Verdict> {
  const problems: string[] = [];
  try {
    await waitFor(
      'every stored delivery to reach a final status',
      boundMs,
      async () => {
        const [row] = await pg.query<{ n: string }>(
          database,
          `SELECT count(*) AS n FROM deliveries WHERE NOT (status = ANY($1))`,
          [FINAL],
        );
        return Number(row.n) === 0 ? true : undefined;
      },
      250,
    );
  } catch (error) {
    problems.push(errorText(error));
  }
  const rows = await pg.query<{
    id: string;
    provider_delivery_id: string;
    status: string;
    attempts: number;
  }>(database, `SELECT id, provider_delivery_id, status, attempts FROM deliveries`);
  const byId = new Map(rows.map((r) => [r.id, r]));
  let lost = 0;
  let processed = 0;
  for (const id of ledger.accepted.keys()) {
    const row = byId.get(id);
    if (row?.status === 'processed') processed += 1;
    else lost += 1;
  }
  if (lost > 0) {
    const sample = [...ledger.accepted.keys()]
      .map((id) => `${id}:${byId.get(id)?.status ?? 'no row'}`)
      .filter((s) => !s.endsWith(':processed'))
      .slice(0, 3);
    problems.push(`${lost} accepted deliveries not processed (e.g. ${sample.join(', ')})`);
  }

  // Rows per provider delivery id (the unique key) and the commits every stored delivery carries.
  const perProviderId = new Map<string, number>();
  for (const row of rows) {
    perProviderId.set(
      row.provider_delivery_id,
      (perProviderId.get(row.provider_delivery_id) ?? 0) + 1,
    );
  }
  let doubled = 0;
  for (const n of perProviderId.values()) doubled += n - 1;
  const expected = new Set<string>();
  for (const row of rows) {
    // GitHub's id is `<hook id>:<delivery guid>`.
    const guid = row.provider_delivery_id.split(':').pop() ?? '';
    for (const sha of ledger.sent.get(guid)?.shas ?? []) expected.add(sha);
  }
  const commits = await pg.query<{ sha: string; n: string }>(
    database,
    `SELECT sha, count(*) AS n FROM commits GROUP BY sha`,
  );
  const stored = new Set<string>();
  for (const c of commits) {
    stored.add(c.sha);
    doubled += Number(c.n) - 1;
    if (!expected.has(c.sha)) doubled += 1;
  }
  const missing = [...expected].filter((sha) => !stored.has(sha)).length;
  if (missing > 0) {
    lost += missing;
    problems.push(`${missing} commits sent in stored deliveries have no row`);
  }
  if (doubled > 0) problems.push(`${doubled} doubled rows (deliveries or commits)`);
  const storedNotAccepted = rows.filter((r) => !ledger.accepted.has(r.id)).length;
  return {
    accepted: ledger.accepted.size,
    processed,
    lost,
    doubled,
    problems,
    maxAttempts: rows.reduce((max, r) => Math.max(max, r.attempts), 0),
    storedNotAccepted,
  };
}
