import { createNodeMiddleware, Webhooks } from '@octokit/webhooks';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';

/**
 * The peer: what a Node team writes by hand to receive GitHub webhooks. @octokit/webhooks'
 * node middleware reads the body, verifies the signature and runs the handler, which adds one
 * BullMQ job per delivery (job id = delivery id); the answer (200 "ok") follows the `add`.
 * Durable only as far as Redis is: nothing reaches PostgreSQL.
 */

export const PEER_PATH = '/api/github/webhooks';
export const PEER_QUEUE = 'peer-deliveries';

export interface PeerServerOptions {
  secret: string;
  redisUrl: string;
  prefix: string;
  port: number;
}

export interface PeerServer {
  port: number;
  /** Removes every job the peer queued (between rounds, so Redis does not fill up). */
  drain(): Promise<void>;
  close(): Promise<void>;
}

export async function startPeerServer(options: PeerServerOptions): Promise<PeerServer> {
  const connection = new IORedis(options.redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(PEER_QUEUE, { connection, prefix: options.prefix });
  const webhooks = new Webhooks({ secret: options.secret });
  webhooks.onAny(async ({ id, name, payload }) => {
    await queue.add(name, { id, name, payload }, { jobId: id });
  });
  const middleware = createNodeMiddleware(webhooks, { path: PEER_PATH });
  const server = createServer((request, response) => {
    void middleware(request, response, () => {
      response.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    drain: () => queue.obliterate({ force: true }),
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await queue.obliterate({ force: true });
      await queue.close();
      connection.disconnect();
    },
  };
}

/** Child-process mode: the runner forks this file, waits for "ready", sends "drain". */
async function runAsChild(): Promise<void> {
  const secret = process.env.PEER_SECRET;
  const redisUrl = process.env.PEER_REDIS_URL;
  const prefix = process.env.PEER_QUEUE_PREFIX;
  if (secret === undefined || redisUrl === undefined || prefix === undefined) {
    throw new Error('PEER_SECRET, PEER_REDIS_URL and PEER_QUEUE_PREFIX are required');
  }
  const server = await startPeerServer({ secret, redisUrl, prefix, port: 0 });
  const stop = () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.once('disconnect', stop);
  process.on('message', (message: unknown) => {
    if (typeof message === 'object' && message !== null && 'type' in message) {
      if (message.type === 'drain') {
        server.drain().then(
          () => process.send?.({ type: 'drained' }),
          (error: unknown) => process.send?.({ type: 'drained', error: String(error) }),
        );
      }
    }
  });
  if (process.send) process.send({ type: 'ready', port: server.port });
  else process.stdout.write(`peer listening on http://127.0.0.1:${server.port}${PEER_PATH}\n`);
}

if (require.main === module) {
  runAsChild().catch((error: unknown) => {
    process.stderr.write(
      `peer failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  });
}
