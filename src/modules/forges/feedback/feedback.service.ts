import { FeedbackLockRepository } from './feedback-lock.repository';
import { Injectable } from '@nestjs/common';
import { FeedbackKind } from '../../../config/config';
import { ForgeMetrics } from '../forge-metrics';
import { CommitState } from '../forge-types';
import { NO_API_CREDENTIALS, RepositoryForgeAccess } from '../forges.service';
import { KeyedMutex } from './keyed-mutex';
import { maskSecrets } from './mask-secrets';

/** What a feedback call did. `disabled` and `no_credentials` are answers, not failures. */
export type FeedbackOutcome =
  | { status: 'created' | 'updated' | 'unchanged'; commentId: string }
  | { status: 'superseded'; commentId: string | null }
  | { status: 'set' }
  | { status: 'disabled'; message: string }
  | { status: 'no_credentials'; message: string };

export interface CommitStatusRequest {
  sha: string;
  purpose: string;
  state: CommitState;
  description: string;
  targetUrl?: string;
}

const PURPOSE = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export function markerOf(purpose: string): string {
  return `<!-- hookyard:${purpose} -->`;
}

function checkPurpose(purpose: string): void {
  if (!PURPOSE.test(purpose)) {
    throw new Error(`feedback purpose "${purpose}" must match ${PURPOSE.source}`);
  }
}

function cut(text: string, limit: number): string {
  const chars = [...text];
  return chars.length <= limit ? text : `${chars.slice(0, limit - 1).join('')}…`;
}

/**
 * Feedback on pull requests that never doubles: one sticky comment per pull request and
 * purpose (found by a hidden marker among Hookyard's own comments, edited in place), and a
 * commit status with a stable context. Concurrent updates of one comment are serialised (in
 * process, and across replicas by an advisory lock), and every update looks before it posts,
 * so a POST that timed out after the forge stored it is found and edited next time.
 */
@Injectable()
export class FeedbackService {
  private readonly mutex = new KeyedMutex();

  constructor(
    private readonly locks: FeedbackLockRepository,
    private readonly metrics: ForgeMetrics,
  ) {}

  private refusal(access: RepositoryForgeAccess, kind: FeedbackKind): FeedbackOutcome | undefined {
    if (access.api.status !== 'available') {
      this.metrics.feedback.inc({ forge: access.provider, kind, outcome: 'no_credentials' });
      return { status: 'no_credentials', message: NO_API_CREDENTIALS };
    }
    if (!access.feedback.includes(kind)) {
      this.metrics.feedback.inc({ forge: access.provider, kind, outcome: 'disabled' });
      return {
        status: 'disabled',
        message: `${kind} feedback is switched off for this repository`,
      };
    }
    return undefined;
  }

  /**
   * `onlyOver`: decided under the lock, with the comment as it is then (undefined when there
   * is none); when it answers false nothing is written (`superseded`), so that a caller that
   * prepared its text earlier cannot overwrite a newer one written meanwhile.
   */
  async upsertStickyComment(
    access: RepositoryForgeAccess,
    pullRequest: number,
    purpose: string,
    body: string,
    onlyOver?: (existingBody: string | undefined) => boolean,
  ): Promise<FeedbackOutcome> {
    checkPurpose(purpose);
    const refused = this.refusal(access, 'comment');
    if (refused) return refused;
    const marker = markerOf(purpose);
    const text = `${marker}\n${maskSecrets(body, access.knownSecrets())}`;
    const key = `feedback:${access.repositoryId}:${pullRequest}:${purpose}`;
    const outcome = await this.mutex.run(key, () =>
      this.locks.whileLocked(key, async () => {
        const client = access.client();
        const own = await client.ownLogin(access.repository);
        const comments = await client.listComments(access.repository, pullRequest);
        const existing = comments.find(
          (c) => c.body.startsWith(marker) && (own === undefined || c.author === own),
        );
        if (onlyOver !== undefined && !onlyOver(existing?.body)) {
          return { status: 'superseded' as const, commentId: existing?.id ?? null };
        }
        if (!existing) {
          const created = await client.createComment(access.repository, pullRequest, text);
          return { status: 'created' as const, commentId: created.id };
        }
        if (existing.body === text) return { status: 'unchanged' as const, commentId: existing.id };
        await client.updateComment(access.repository, pullRequest, existing.id, text);
        return { status: 'updated' as const, commentId: existing.id };
      }),
    );
    this.metrics.feedback.inc({ forge: access.provider, kind: 'comment', outcome: outcome.status });
    return outcome;
  }

  async setCommitStatus(
    access: RepositoryForgeAccess,
    request: CommitStatusRequest,
  ): Promise<FeedbackOutcome> {
    checkPurpose(request.purpose);
    const refused = this.refusal(access, 'status');
    if (refused) return refused;
    const client = access.client();
    const limits = client.statusLimits;
    await client.setCommitStatus(access.repository, {
      sha: request.sha,
      state: request.state,
      context: cut(`hookyard/${request.purpose}`, limits.context),
      description: cut(maskSecrets(request.description, access.knownSecrets()), limits.description),
      targetUrl: request.targetUrl,
    });
    this.metrics.feedback.inc({ forge: access.provider, kind: 'status', outcome: 'set' });
    return { status: 'set' };
  }
}
