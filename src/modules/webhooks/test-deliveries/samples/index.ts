import { Provider } from '../../providers/provider-adapter';
import { AZURE_DEVOPS_SAMPLE } from './azure-devops.sample';
import { BITBUCKET_SERVER_SAMPLE } from './bitbucket-server.sample';
import { BITBUCKET_SAMPLE } from './bitbucket.sample';
import { GITEA_SAMPLE } from './gitea.sample';
import { GITHUB_SAMPLE } from './github.sample';
import { GITLAB_SAMPLE } from './gitlab.sample';
import type { ForgeSample } from './sample-push';

/** The sample push of every forge: a Record, so a new provider cannot go without one. */
export const FORGE_SAMPLES: Record<Provider, ForgeSample> = {
  [Provider.GitHub]: GITHUB_SAMPLE,
  [Provider.GitLab]: GITLAB_SAMPLE,
  [Provider.Gitea]: GITEA_SAMPLE,
  [Provider.Bitbucket]: BITBUCKET_SAMPLE,
  [Provider.AzureDevOps]: AZURE_DEVOPS_SAMPLE,
  [Provider.BitbucketServer]: BITBUCKET_SERVER_SAMPLE,
};
