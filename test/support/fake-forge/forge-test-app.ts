import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { FeedbackService } from '../../../src/modules/forges/feedback/feedback.service';
import { ForgesService, RepositoryForgeAccess } from '../../../src/modules/forges/forges.service';
import { OutboundPolicy } from '../../../src/modules/forges/outbound-policy';
import { startTestApp, TestApp } from '../test-app';
import { FakeForge } from './fake-forge';

export const FORGE_TOKEN = 'fake-forge-token-0123456789';

/** Environment pointing every default source at the fake forge (tokens as given). */
export function forgeEnv(fake: FakeForge, extra: Record<string, string> = {}) {
  return {
    GITHUB_URL: fake.url,
    GITHUB_API_URL: `${fake.url}/api/v3`,
    GITLAB_URL: fake.url,
    GITEA_URL: fake.url,
    BITBUCKET_URL: fake.url,
    BITBUCKET_API_URL: `${fake.url}/2.0`,
    ...extra,
  };
}

export interface ForgeTestApp {
  t: TestApp;
  forges: ForgesService;
  feedback: FeedbackService;
  policy: OutboundPolicy;
}

/** The real app against the fake forge, with short waits so that tests stay quick. */
export async function startForgeTestApp(env: Record<string, string>): Promise<ForgeTestApp> {
  const t = await startTestApp(env);
  const forges = t.app.get(ForgesService);
  const policy = t.app.get(OutboundPolicy);
  forges.tune({ retryAfterBaseMs: 20, writeSpacingMs: 0 });
  policy.tune({ backoffBaseMs: 20 });
  return { t, forges, feedback: t.app.get(FeedbackService), policy };
}

/** A repository row as processing would have written it. */
export async function insertRepository(
  t: TestApp,
  provider: string,
  fullName: string,
  externalId: string = randomUUID(),
): Promise<string> {
  const [row] = await t.dataSource.query<{ id: string }[]>(
    `INSERT INTO repositories (provider, external_id, full_name, name)
     VALUES ($1, $2, $3, split_part($3, '/', 2)) RETURNING id`,
    [provider, externalId, fullName],
  );
  return row.id;
}

export async function accessOf(
  forges: ForgesService,
  repositoryId: string,
): Promise<RepositoryForgeAccess> {
  const access = await forges.forRepository(repositoryId);
  if (!access) throw new Error(`no forge access for ${repositoryId}`);
  return access;
}

export function rsaKeyPair(): { privateKey: string; publicKey: string } {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
}
