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
}
