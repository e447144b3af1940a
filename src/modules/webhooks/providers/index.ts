import { AzureDevOpsAdapter } from './azure-devops/azure-devops.adapter';
import { BitbucketServerAdapter } from './bitbucket-server/bitbucket-server.adapter';
import { BitbucketAdapter } from './bitbucket/bitbucket.adapter';
import { GiteaAdapter } from './gitea/gitea.adapter';
import { GitHubAdapter } from './github/github.adapter';
import { GitLabAdapter } from './gitlab/gitlab.adapter';
import { Provider, type ProviderAdapter } from './provider-adapter';

export { AzureDevOpsAdapter } from './azure-devops/azure-devops.adapter';
export { BitbucketServerAdapter } from './bitbucket-server/bitbucket-server.adapter';
export { BitbucketAdapter } from './bitbucket/bitbucket.adapter';
export { GiteaAdapter } from './gitea/gitea.adapter';
export { GitHubAdapter } from './github/github.adapter';
export { GitLabAdapter } from './gitlab/gitlab.adapter';

/** The provider list: one adapter per forge. */
export const PROVIDER_ADAPTERS: Record<Provider, ProviderAdapter> = {
  [Provider.GitHub]: new GitHubAdapter(),
  [Provider.GitLab]: new GitLabAdapter(),
  [Provider.Gitea]: new GiteaAdapter(),
  [Provider.Bitbucket]: new BitbucketAdapter(),
  [Provider.AzureDevOps]: new AzureDevOpsAdapter(),
  [Provider.BitbucketServer]: new BitbucketServerAdapter(),
};

export function adapterFor(provider: Provider): ProviderAdapter {
  return PROVIDER_ADAPTERS[provider];
}
