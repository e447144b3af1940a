import {
  Ledger,
  mixedPushDelivery,
  pushDelivery,
  PushDelivery,
  recoveryTime,
  send,
  steadyLoad,
  verify,
} from './load';
import { sleep } from '../support/harness';
import {
  AppProcess,
  errorText,
  httpRequest,
  onCleanup,
  PrivatePostgres,
  PrivateRedis,
  scenarioContext,
  waitFor,
} from './support';
import { runBadInput } from './bad-input';

export interface ScenarioResult {
  name: string;
  load: string;
  fault: string;
  accepted: number;
  processed: number | null;
  lost: number;
  doubled: number;
  recoveryMs: number | null;
  seconds: number;
  problems: string[];
  notes: string[];
}

export interface Infra {
  pg: PrivatePostgres;
  redis: PrivateRedis;
}

export interface Scenario {
  name: string;
  boundMs: number;
  run: (infra: Infra) => Promise<ScenarioResult>;
}

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
}

export const SETTINGS = {
  deliveries: envInt('CHAOS_DELIVERIES', 5000),
  ratePerS: envInt('CHAOS_RATE', 500),
  concurrency: envInt('CHAOS_CONCURRENCY', 32),
  drainBoundMs: envInt('CHAOS_DRAIN_BOUND_S', 180) * 1000,
  pgDownMs: envInt('CHAOS_PG_DOWN_MS', 4000),
  duplicates: envInt('CHAOS_DUPLICATE_DELIVERIES', 100),
  copies: envInt('CHAOS_DUPLICATE_COPIES', 50),
  propertyRuns: envInt('CHAOS_PROPERTY_RUNS', 300),
};

/** The smaller fault scenarios send this share of CHAOS_DELIVERIES at 40% of the rate. */
const smaller = () => Math.max(50, Math.round(SETTINGS.deliveries * 0.4));
const slowerRate = () => Math.max(10, Math.round(SETTINGS.ratePerS * 0.4));

interface Deployment {
  database: string;
  api: AppProcess;
  worker?: AppProcess;
  secret: string;
  adminToken: string;
}

async function deploy(infra: Infra, name: string, withWorker: boolean): Promise<Deployment> {
  const ctx = scenarioContext(name);
  const databaseUrl = await infra.pg.createDatabase(ctx.databaseName);
  const env = {
    databaseUrl,
    redisUrl: infra.redis.url,
    queuePrefix: ctx.queuePrefix,
    secret: ctx.secret,
    adminToken: ctx.adminToken,
    dataDir: ctx.dataDir,
  };
  // Registered before the processes, so it runs after they are stopped.
  onCleanup(`delete Redis keys ${ctx.queuePrefix}*`, () =>
    infra.redis.deletePrefix(ctx.queuePrefix),
  );
  // The API migrates the fresh database before the worker starts.
  const api = await AppProcess.create('api', env);
  await api.start();
  let worker: AppProcess | undefined;
  if (withWorker) {
    worker = await AppProcess.create('worker', { ...env, extra: { WORKER_CONCURRENCY: '8' } });
    await worker.start();
  }
  return {
    database: ctx.databaseName,
    api,
    worker,
    secret: ctx.secret,
    adminToken: ctx.adminToken,
  };
}

function deliveriesFor(secret: string, n: number): PushDelivery[] {
  return Array.from({ length: n }, (_, index) => mixedPushDelivery(secret, index));
}

function crashes(d: Deployment): string[] {
  const problems: string[] = [];
  if (!d.api.running) problems.push(`the API process died:\n${d.api.log.tail()}`);
  if (d.worker && !d.worker.running)
    problems.push(`the worker process died:\n${d.worker.log.tail()}`);
  return problems;
}

/** Faults and their recoveries: each recovery is measured from the fault's start. */
class Recoveries {
  private readonly runs: Array<Promise<number>> = [];

  constructor(
    private readonly infra: Infra,
    private readonly database: string,
    private readonly ledger: Ledger,
  ) {}

  /** Every delivery accepted before `faultEnd` must be final; measured from `faultStart`. */
  measure(faultStart: number, faultEnd: number): void {
    const ids = this.ledger.acceptedIdsBefore(faultEnd);
    this.runs.push(
      recoveryTime(this.infra.pg, this.database, ids, faultStart, SETTINGS.drainBoundMs),
    );
  }

  async longest(problems: string[]): Promise<number | null> {
    const settled = await Promise.allSettled(this.runs);
    let longest: number | null = null;
    for (const outcome of settled) {
      if (outcome.status === 'rejected') problems.push(`recovery: ${errorText(outcome.reason)}`);
      else longest = Math.max(longest ?? 0, outcome.value);
    }
    return longest;
  }
}

/** A deployment under test, and what its faults and checks write down. */
interface Run {
  d: Deployment;
  ledger: Ledger;
  recoveries: Recoveries;
  problems: string[];
  notes: string[];
}

function startRun(infra: Infra, d: Deployment): Run {
  const ledger = new Ledger();
  return {
    d,
    ledger,
    recoveries: new Recoveries(infra, d.database, ledger),
    problems: [],
    notes: [],
  };
}

async function finish(
  infra: Infra,
  run: Run,
  scenario: { name: string; started: number; load: string; fault: string },
): Promise<ScenarioResult> {
  const { d, ledger, recoveries, notes } = run;
  const problems = [...run.problems];
  const longest = await recoveries.longest(problems);
  const verdict = await verify(infra.pg, d.database, ledger, SETTINGS.drainBoundMs);
  problems.push(...verdict.problems, ...crashes(d));
  const bad = ledger.unexpected([202, 200, 503]);
  if (bad.length > 0) problems.push(`unexpected answers to signed deliveries: ${bad.join(', ')}`);
  notes.push(
    `answers ${ledger.summary()}`,
    `max attempts ${verdict.maxAttempts}`,
    `stored without a 2xx answer: ${verdict.storedNotAccepted}`,
  );
  return {
    name: scenario.name,
    load: scenario.load,
    fault: scenario.fault,
    accepted: verdict.accepted,
    processed: verdict.processed,
    lost: verdict.lost,
    doubled: verdict.doubled,
    recoveryMs: longest,
    seconds: (Date.now() - scenario.started) / 1000,
    problems,
    notes,
  };
}

/**
 * A scenario made of a steady load of pushes with faults injected at fractions of it (`at`),
 * then an optional check once the load is sent, then the common verdict.
 */
async function underLoad(
  infra: Infra,
  spec: {
    name: string;
    deliveries: number;
    ratePerS: number;
    fault: string;
    faults: (run: Run) => Array<{ at: number; run: () => Promise<void> }>;
    afterLoad?: (run: Run) => Promise<void>;
  },
): Promise<ScenarioResult> {
  const started = Date.now();
  const run = startRun(infra, await deploy(infra, spec.name, true));
  const n = spec.deliveries;
  const load = await steadyLoad({
    port: run.d.api.port,
    deliveries: deliveriesFor(run.d.secret, n),
    ratePerS: spec.ratePerS,
    concurrency: SETTINGS.concurrency,
    ledger: run.ledger,
    faults: spec
      .faults(run)
      .map((fault) => ({ afterSent: Math.round(n * fault.at), run: fault.run })),
  });
  for (const outcome of await Promise.allSettled(load.faults)) {
    if (outcome.status === 'rejected') run.problems.push(`fault: ${errorText(outcome.reason)}`);
  }
  await spec.afterLoad?.(run);
  run.notes.push(`load took ${load.seconds.toFixed(1)} s`);
  return finish(infra, run, {
    name: spec.name,
    started,
    load: `${n} pushes (GitHub 3 : Azure DevOps 1 : Bitbucket Data Center 1) @ ${spec.ratePerS}/s`,
    fault: spec.fault,
  });
}

const workerKilled: Scenario = {
  name: 'worker-killed',
  boundMs: 360_000,
  run: (infra) =>
    underLoad(infra, {
      name: 'worker-killed',
      deliveries: SETTINGS.deliveries,
      ratePerS: SETTINGS.ratePerS,
      fault: 'worker SIGKILL ×2 + restart',
      faults: ({ d, notes, recoveries }) => {
        const worker = d.worker;
        if (!worker) throw new Error('no worker');
        const killAndRestart = async () => {
          const faultStart = Date.now();
          await worker.kill();
          await sleep(1000);
          await worker.start();
          notes.push(`worker back ${Date.now() - faultStart} ms after SIGKILL`);
          recoveries.measure(faultStart, Date.now());
        };
        return [
          { at: 0.3, run: killAndRestart },
          { at: 0.65, run: killAndRestart },
        ];
      },
    }),
};

const redisEmptied: Scenario = {
  name: 'redis-emptied',
  boundMs: 240_000,
  run: (infra) =>
    underLoad(infra, {
      name: 'redis-emptied',
      deliveries: smaller(),
      ratePerS: slowerRate(),
      fault: 'FLUSHALL + redis-server restarted empty',
      faults: ({ notes, recoveries }) => [
        {
          at: 0.3,
          run: async () => {
            const at = Date.now();
            await infra.redis.flushAll();
            recoveries.measure(at, Date.now());
          },
        },
        {
          at: 0.65,
          run: async () => {
            const at = Date.now();
            await infra.redis.restartEmpty(2000);
            notes.push(`redis-server back empty ${Date.now() - at} ms after SIGKILL`);
            recoveries.measure(at, Date.now());
          },
        },
      ],
    }),
};

const postgresDown: Scenario = {
  name: 'postgres-down',
  boundMs: 240_000,
  run: (infra) =>
    underLoad(infra, {
      name: 'postgres-down',
      deliveries: smaller(),
      ratePerS: slowerRate(),
      fault: `PostgreSQL stopped ${(SETTINGS.pgDownMs / 1000).toFixed(0)} s + restarted`,
      faults: ({ d, ledger, recoveries, notes, problems }) => [
        {
          at: 0.35,
          run: async () => {
            const at = Date.now();
            await infra.pg.stop('SIGINT');
            // While it is down: ingest must say 503 (retry later), readiness must say 503.
            const probeUntil = Date.now() + SETTINGS.pgDownMs;
            const ingestAnswers = new Map<number, number>();
            const readyAnswers = new Map<number, number>();
            while (Date.now() < probeUntil) {
              const status = await send(d.api.port, pushDelivery(d.secret), ledger);
              ingestAnswers.set(status, (ingestAnswers.get(status) ?? 0) + 1);
              const ready = await httpRequest(d.api.port, 'GET', '/health/ready', {
                timeoutMs: 10_000,
              })
                .then((a) => a.status)
                .catch(() => 0);
              readyAnswers.set(ready, (readyAnswers.get(ready) ?? 0) + 1);
              await sleep(200);
            }
            const fmt = (m: Map<number, number>) => [...m].map(([s, c]) => `${s}×${c}`).join(' ');
            notes.push(`while down: ingest ${fmt(ingestAnswers)}; ready ${fmt(readyAnswers)}`);
            if ([...ingestAnswers.keys()].some((s) => s !== 503)) {
              problems.push(
                `ingest answered other than 503 while PostgreSQL was down: ${fmt(ingestAnswers)}`,
              );
            }
            if ([...readyAnswers.keys()].some((s) => s !== 503)) {
              problems.push(
                `/health/ready answered other than 503 while PostgreSQL was down: ${fmt(readyAnswers)}`,
              );
            }
            await infra.pg.launch();
            const back = Date.now();
            notes.push(`PostgreSQL down ${back - at} ms`);
            await waitFor('ingest to answer 202 again', 60_000, async () =>
              (await send(d.api.port, pushDelivery(d.secret), ledger)) === 202 ? true : undefined,
            );
            notes.push(`ingest 202 again ${Date.now() - back} ms after restart`);
            recoveries.measure(at, Date.now());
          },
        },
      ],
      afterLoad: async ({ d, problems }) => {
        const ready = await httpRequest(d.api.port, 'GET', '/health/ready').catch(() => undefined);
        if (ready?.status !== 200)
          problems.push(`/health/ready is ${ready?.status ?? 'down'} afterwards`);
      },
    }),
};

const concurrentDuplicates: Scenario = {
  name: 'concurrent-duplicates',
  boundMs: 180_000,
  run: async (infra) => {
    const started = Date.now();
    const run = startRun(infra, await deploy(infra, 'duplicates', true));
    const { d, ledger, recoveries } = run;
    const { duplicates, copies } = SETTINGS;
    const deliveries = deliveriesFor(d.secret, duplicates);
    const acceptedPer = new Map<string, number>();
    const sendStart = Date.now();
    // Four deliveries at a time, each as `copies` simultaneous requests.
    for (let i = 0; i < deliveries.length; i += 4) {
      const batch = deliveries.slice(i, i + 4);
      await Promise.all(
        batch.flatMap((delivery) =>
          Array.from({ length: copies }, async () => {
            if ((await send(d.api.port, delivery, ledger)) === 202) {
              acceptedPer.set(
                delivery.providerDeliveryId,
                (acceptedPer.get(delivery.providerDeliveryId) ?? 0) + 1,
              );
            }
          }),
        ),
      );
    }
    recoveries.measure(sendStart, Date.now());
    run.notes.push(`sent in ${((Date.now() - sendStart) / 1000).toFixed(1)} s`);
    const result = await finish(infra, run, {
      name: 'concurrent-duplicates',
      started,
      load: `${duplicates} deliveries (GitHub, Azure DevOps, Bitbucket Data Center) × ${copies} parallel copies`,
      fault: 'concurrent duplicates',
    });
    const multiAccepted = [...acceptedPer.values()].filter((n) => n > 1).length;
    const [rows] = await infra.pg.query<{ n: string; extra: string }>(
      d.database,
      `SELECT count(*) AS n, coalesce(sum(attempts - 1), 0) AS extra FROM deliveries`,
    );
    const extraAttempts = Number(rows.extra);
    if (Number(rows.n) !== duplicates) {
      result.problems.push(`${rows.n} delivery rows, expected ${duplicates}`);
    }
    if (ledger.accepted.size !== duplicates || multiAccepted > 0) {
      result.problems.push(
        `${ledger.accepted.size} answers 202 (expected ${duplicates}); ${multiAccepted} deliveries accepted twice`,
      );
    }
    if (ledger.duplicates !== duplicates * (copies - 1)) {
      result.problems.push(
        `${ledger.duplicates} answers 200 duplicate, expected ${duplicates * (copies - 1)}`,
      );
    }
    if (extraAttempts > 0) {
      result.doubled += extraAttempts;
      result.problems.push(`${extraAttempts} extra processing attempts (attempts > 1)`);
    }
    return result;
  },
};

const badInput: Scenario = {
  name: 'bad-input',
  boundMs: 180_000,
  run: async (infra) => {
    const started = Date.now();
    const d = await deploy(infra, 'bad-input', false);
    const outcome = await runBadInput(d.api.port, d.secret, SETTINGS.propertyRuns, d.adminToken);
    const problems = [...outcome.problems, ...crashes(d)];
    const afterAt = Date.now();
    let recoveryMs: number | null = null;
    try {
      await waitFor('/health/ready 200 after the bad input', 30_000, async () =>
        (await httpRequest(d.api.port, 'GET', '/health/ready', { timeoutMs: 5_000 })).status === 200
          ? true
          : undefined,
      );
      recoveryMs = Date.now() - afterAt;
    } catch (error) {
      problems.push(errorText(error));
    }
    return {
      name: 'bad-input',
      load: `${outcome.cases} corpus cases + ${outcome.propertyRuns} fast-check requests`,
      fault: 'malformed / hostile requests',
      accepted: outcome.accepted,
      processed: null,
      lost: 0,
      doubled: 0,
      recoveryMs,
      seconds: (Date.now() - started) / 1000,
      problems,
      notes: [`answers ${outcome.summary}`, `5xx answers: ${outcome.serverErrors}`],
    };
  },
};

export const SCENARIOS: Scenario[] = [
  workerKilled,
  redisEmptied,
  postgresDown,
  concurrentDuplicates,
  badInput,
];
