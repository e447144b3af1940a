import type { CiRunEvent } from '../../../activity/domain-events';
import { pipelineBuildNumber } from './ci';
import { normalizeBitbucket } from './normalize';

const HEAD = 'd'.repeat(40);

/** A build status as Bitbucket Pipelines sets it: an opaque key, the result page as its url. */
function pipelinesStatus(state: string, url: string) {
  return {
    repository: {
      type: 'repository',
      full_name: 'acme/widgets',
      name: 'widgets',
      uuid: '{673a6070-3421-46c9-9d48-90745f7bfe8e}',
    },
    actor: { type: 'user', nickname: 'ada', display_name: 'Ada' },
    commit_status: {
      key: '-1879968562',
      type: 'build',
      state,
      name: 'Pipeline #12 for feature',
      refname: 'feature',
      commit: { type: 'commit', hash: HEAD },
      url,
      description: '',
      created_on: '2026-03-02T10:00:44.273346+00:00',
      updated_on: '2026-03-02T10:06:30.843946+00:00',
    },
  };
}

describe('Bitbucket Pipelines build statuses', () => {
  it('reads the build number from both forms of the result page', () => {
    expect(
      pipelineBuildNumber('https://bitbucket.org/acme/widgets/addon/pipelines/home#!/results/12'),
    ).toBe('12');
    expect(pipelineBuildNumber('https://bitbucket.org/acme/widgets/pipelines/results/12')).toBe(
      '12',
    );
    expect(
      pipelineBuildNumber('https://bitbucket.org/acme/widgets/pipelines/results/12/steps/%7Bx%7D'),
    ).toBe('12');
    expect(pipelineBuildNumber('https://ci.example/builds/MY-PROJECT/BUILD-792')).toBeUndefined();
    expect(pipelineBuildNumber(undefined)).toBeUndefined();
  });

  it('makes a failed Pipelines status a pipeline run per build number', () => {
    const payload = pipelinesStatus(
      'FAILED',
      'https://bitbucket.org/acme/widgets/addon/pipelines/home#!/results/12',
    );
    const events = normalizeBitbucket('repo:commit_status_updated', payload);
    expect(events).toHaveLength(1);
    const event = events[0] as CiRunEvent;
    expect(event.run).toMatchObject({
      externalId: '12',
      source: 'pipeline',
      runNumber: 12,
      status: 'completed',
      conclusion: 'failure',
      headSha: HEAD,
      headBranch: 'feature',
    });
  });

  it('keeps another tool’s status one run per key and commit', () => {
    const payload = pipelinesStatus('STOPPED', 'https://ci.example/builds/42');
    const event = normalizeBitbucket('repo:commit_status_created', payload)[0] as CiRunEvent;
    expect(event.run).toMatchObject({
      externalId: `-1879968562@${HEAD}`,
      source: 'commit_status',
      conclusion: 'cancelled',
    });
    expect(event.run.runNumber).toBeUndefined();
  });
});
