import { BitbucketAdapter } from './bitbucket.adapter';
import { GiteaAdapter } from './gitea.adapter';
import { GitHubAdapter } from './github.adapter';
import { GitLabAdapter } from './gitlab.adapter';
import { Provider, type ProviderAdapter } from './provider-adapter';

export { BitbucketAdapter } from './bitbucket.adapter';
export { GiteaAdapter } from './gitea.adapter';
export { GitHubAdapter } from './github.adapter';
export { GitLabAdapter } from './gitlab.adapter';

export const PROVIDER_ADAPTERS: Record<Provider, ProviderAdapter> = {
  [Provider.GitHub]: new GitHubAdapter(),
  [Provider.GitLab]: new GitLabAdapter(),
  [Provider.Gitea]: new GiteaAdapter(),
  [Provider.Bitbucket]: new BitbucketAdapter(),
};

export function adapterFor(provider: Provider): ProviderAdapter {
  return PROVIDER_ADAPTERS[provider];
}
