import type { SecretScheme } from './provider-adapter';

/** A forge whose secrets are all HMAC keys: one variable, a comma-separated list for rotation. */
export function hmacSecretScheme(variable: string): SecretScheme {
  return {
    variables: [variable],
    fromEnvironment: (env) => ({ hmac: env.list(variable) }),
    kindOf: () => 'hmac',
  };
}
