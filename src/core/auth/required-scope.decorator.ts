import { SetMetadata } from '@nestjs/common';
import { Scope } from './principal';

export const REQUIRED_SCOPE = 'hookyard:required-scope';

/**
 * The scope a route needs, where its HTTP method does not say it: the MCP endpoint takes every
 * call as a POST, reads included, and asks for `admin` itself on the calls that change state.
 */
export const RequiredScope = (scope: Scope) => SetMetadata(REQUIRED_SCOPE, scope);
