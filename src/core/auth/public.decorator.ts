import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'hookyard:public';

/**
 * Opts a controller out of the API-key guard. Only /webhooks (signature-checked),
 * /health and /metrics use it; a test walks every route to keep it that way.
 */
export const Public = () => SetMetadata(IS_PUBLIC, true);
