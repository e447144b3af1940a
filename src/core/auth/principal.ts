export type Scope = 'read' | 'admin';

/** Who is calling, once the API key has been verified. */
export interface Principal {
  keyId: string;
  name: string;
  scopes: readonly Scope[];
}

export interface AuthenticatedRequest {
  principal?: Principal;
}
