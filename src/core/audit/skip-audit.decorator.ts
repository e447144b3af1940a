import { SetMetadata } from '@nestjs/common';

export const SKIP_AUDIT = 'hookyard:skip-audit';

/**
 * Marks a controller whose requests never change state with a key (the webhooks), so the
 * audit interceptor passes them through without looking at the request.
 */
export const SkipAudit = () => SetMetadata(SKIP_AUDIT, true);
