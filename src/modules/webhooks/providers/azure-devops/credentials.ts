import type { SecretScheme } from '../provider-adapter';

export const USERNAME_VARIABLE = 'AZURE_DEVOPS_WEBHOOK_USERNAME';
export const PASSWORD_VARIABLE = 'AZURE_DEVOPS_WEBHOOK_PASSWORD';

/**
 * Service hooks carry no signature: they authenticate with the HTTP Basic credentials set on the
 * subscription. A secret is one `username:password` pair; several are a rotation. The default
 * source has one user name and a comma-separated list of passwords.
 */
export const AZURE_DEVOPS_SECRETS: SecretScheme = {
  variables: [USERNAME_VARIABLE, PASSWORD_VARIABLE],
  fromEnvironment: (env) => {
    const username = env.optional(USERNAME_VARIABLE);
    const passwords = env.list(PASSWORD_VARIABLE);
    if (username?.includes(':')) {
      env.problem(`${USERNAME_VARIABLE} must not contain ":" (HTTP Basic forbids it)`);
      return {};
    }
    if (username === undefined && passwords.length > 0) {
      env.problem(`${PASSWORD_VARIABLE} is set, so ${USERNAME_VARIABLE} must be set too`);
      return {};
    }
    if (username !== undefined && passwords.length === 0) {
      env.problem(`${USERNAME_VARIABLE} is set, so ${PASSWORD_VARIABLE} must be set too`);
      return {};
    }
    return { basic: passwords.map((password) => `${username}:${password}`) };
  },
  kindOf: (secret) => {
    const colon = secret.indexOf(':');
    return colon > 0 && colon < secret.length - 1
      ? 'basic'
      : {
          problem: 'An Azure DevOps secret is the service hook\'s credentials: "username:password"',
        };
  },
};
