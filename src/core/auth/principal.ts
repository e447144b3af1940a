export const ALL_SCOPES = ['read', 'admin'] as const;
export type Scope = (typeof ALL_SCOPES)[number];

/** Who is calling, once the API key has been verified. */
export interface Principal {
  keyId: string;
  name: string;
  scopes: readonly Scope[];
}

export interface AuthenticatedRequest {
  principal?: Principal;
  /**
   * Set by the ApiKeyGuard once the key may use the route (scope included): the request goes
   * on to its handler, and a state change is audited. `principal` alone may have been set
   * before the body was read, for a request that is refused afterwards.
   */
  admitted?: true;
}
