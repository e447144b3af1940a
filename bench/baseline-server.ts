import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { Pool } from 'pg';

/**
 * The bar the real app must beat: the least a durable GitHub webhook receiver can do.
 * No framework, but no shortcuts either — the signature is checked, and nobody gets a 202
 * before their row is committed.
 */

export interface BaselineServerOptions {
  databaseUrl: string;
  secret: string;
  port: number;
}

export interface BaselineServer {
  port: number;
  close(): Promise<void>;
}

const BATCH_MAX_ROWS = 64;
const BATCH_MAX_WAIT_MS = 2;
const POOL_SIZE = 10;
const MAX_BODY_BYTES = 25 * 1024 * 1024;
const SIGNATURE_PATTERN = /^sha256=([0-9a-f]{64})$/i;

const CREATE_TABLE_SQL = `
  CREATE TABLE IF NOT EXISTS baseline_deliveries (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    delivery_id text NOT NULL UNIQUE,
    event text NOT NULL,
    headers jsonb NOT NULL,
    body bytea NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
  )`;

interface PendingDelivery {
  deliveryId: string;
  event: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  respond(status: number, payload: Record<string, string>): void;
}

interface InsertedRow {
  id: string;
  delivery_id: string;
}

function signatureMatches(secret: string, body: Buffer, header: string | undefined): boolean {
  const match = header === undefined ? null : SIGNATURE_PATTERN.exec(header);
  if (match === null) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  return timingSafeEqual(expected, Buffer.from(match[1], 'hex'));
}

function singleHeader(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? undefined : first;
}

function sendJson(res: ServerResponse, status: number, payload: Record<string, string>): void {
  const text = JSON.stringify(payload);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? 'too-large' : Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}

class BatchWriter {
  private pending: PendingDelivery[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly pool: Pool) {}

  add(delivery: PendingDelivery): void {
    this.pending.push(delivery);
    if (this.pending.length >= BATCH_MAX_ROWS) {
      this.flush();
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flush(), BATCH_MAX_WAIT_MS);
    }
  }

  async drain(): Promise<void> {
    this.flush();
    await Promise.all(this.inFlight);
  }

  private flush(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const write = this.write(batch).finally(() => this.inFlight.delete(write));
    this.inFlight.add(write);
  }

  private async write(batch: PendingDelivery[]): Promise<void> {
    // The same delivery twice in one batch must answer "duplicate" once, as it would across batches.
    const firstByDeliveryId = new Map<string, PendingDelivery>();
    for (const delivery of batch) {
      if (!firstByDeliveryId.has(delivery.deliveryId)) {
        firstByDeliveryId.set(delivery.deliveryId, delivery);
      }
    }
    const rows = [...firstByDeliveryId.values()];
    const params: unknown[] = [];
    const tuples = rows.map((row) => {
      const base = params.length;
      params.push(row.deliveryId, row.event, JSON.stringify(row.headers), row.body);
      return `($${base + 1}, $${base + 2}, $${base + 3}::jsonb, $${base + 4})`;
    });

    let inserted: InsertedRow[];
    try {
      // A lone statement outside BEGIN is committed before its result comes back, so answering
      // after it returns is answering after COMMIT, without two extra round trips.
      const result = await this.pool.query<InsertedRow>(
        `INSERT INTO baseline_deliveries (delivery_id, event, headers, body)
         VALUES ${tuples.join(', ')}
         ON CONFLICT (delivery_id) DO NOTHING
         RETURNING id, delivery_id`,
        params,
      );
      inserted = result.rows;
    } catch {
      for (const delivery of batch) {
        delivery.respond(503, { error: 'delivery could not be stored' });
      }
      return;
    }

    const idByDeliveryId = new Map(inserted.map((row) => [row.delivery_id, row.id]));
    for (const delivery of batch) {
      const id = idByDeliveryId.get(delivery.deliveryId);
      if (id !== undefined && firstByDeliveryId.get(delivery.deliveryId) === delivery) {
        delivery.respond(202, { id, status: 'accepted' });
      } else {
        delivery.respond(200, { status: 'duplicate' });
      }
    }
  }
}

export async function startBaselineServer(options: BaselineServerOptions): Promise<BaselineServer> {
  const pool = new Pool({ connectionString: options.databaseUrl, max: POOL_SIZE });
  // An idle client dropped by the server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  await pool.query(CREATE_TABLE_SQL);
  const writer = new BatchWriter(pool);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      sendJson(res, 405, { error: 'method not allowed' });
      return;
    }
    const body = await readBody(req);
    if (body === 'too-large') {
      sendJson(res, 413, { error: 'body too large' });
      return;
    }
    if (!signatureMatches(options.secret, body, singleHeader(req.headers, 'x-hub-signature-256'))) {
      sendJson(res, 401, { error: 'bad or missing signature' });
      return;
    }
    const deliveryId = singleHeader(req.headers, 'x-github-delivery');
    const event = singleHeader(req.headers, 'x-github-event');
    if (deliveryId === undefined || event === undefined) {
      sendJson(res, 400, { error: 'missing X-GitHub-Delivery or X-GitHub-Event' });
      return;
    }
    writer.add({
      deliveryId,
      event,
      headers: req.headers,
      body,
      respond: (status, payload) => sendJson(res, status, payload),
    });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 400, { error: 'could not read the request' });
    });
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await pool.end();
    throw error;
  }

  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await writer.drain();
      server.closeAllConnections();
      await closed;
      await pool.end();
    },
  };
}

/** Child-process mode: the runner forks this file and waits for the "ready" message. */
async function runAsChild(): Promise<void> {
  const databaseUrl = process.env.BASELINE_DATABASE_URL;
  const secret = process.env.BASELINE_SECRET;
  if (databaseUrl === undefined || secret === undefined) {
    throw new Error('BASELINE_DATABASE_URL and BASELINE_SECRET are required');
  }
  const server = await startBaselineServer({
    databaseUrl,
    secret,
    port: Number(process.env.BASELINE_PORT ?? '0'),
  });
  const stop = () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.once('disconnect', stop);
  if (process.send) process.send({ type: 'ready', port: server.port });
  else process.stdout.write(`baseline listening on http://127.0.0.1:${server.port}\n`);
}

if (require.main === module) {
  runAsChild().catch((error: unknown) => {
    process.stderr.write(
      `baseline failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  });
}
