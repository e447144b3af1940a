import { ForgeCiJob } from '../forge-types';

/**
 * Bitbucket Pipelines objects of the REST API 2.0 (`pipeline`, `pipeline_step`), the fields
 * read. A step is what Hookyard records as a CI job; its id joins the pipeline's and the step's
 * UUIDs, because the log is addressed by both.
 */
export interface BitbucketPipeline {
  uuid: string;
  build_number: number;
  target?: { ref_name?: string; commit?: { hash?: string } };
}

export interface BitbucketStep {
  uuid: string;
  name?: string;
  state?: { name?: string; result?: { name?: string } };
  started_on?: string;
  completed_on?: string;
}

const STEP_CONCLUSIONS: Readonly<Record<string, string>> = {
  SUCCESSFUL: 'success',
  FAILED: 'failure',
  ERROR: 'failure',
  STOPPED: 'cancelled',
  NOT_RUN: 'skipped',
};

const SEPARATOR = '/';

export function stepJobId(pipelineUuid: string, stepUuid: string): string {
  return `${pipelineUuid}${SEPARATOR}${stepUuid}`;
}

/** The pipeline and step UUIDs of a step's job id, or undefined for another id. */
export function splitStepJobId(jobId: string): { pipeline: string; step: string } | undefined {
  const at = jobId.indexOf(SEPARATOR);
  if (at <= 0 || at === jobId.length - 1) return undefined;
  return { pipeline: jobId.slice(0, at), step: jobId.slice(at + 1) };
}

export function stepToForgeCiJob(
  pipeline: BitbucketPipeline,
  step: BitbucketStep,
  stepPage: string,
): ForgeCiJob {
  const state = step.state?.name;
  const result = step.state?.result?.name;
  const createdAt = step.started_on ?? step.completed_on ?? new Date().toISOString();
  return {
    externalId: stepJobId(pipeline.uuid, step.uuid),
    runExternalId: String(pipeline.build_number),
    name: step.name ?? step.uuid,
    status:
      state === 'COMPLETED' ? 'completed' : state === 'IN_PROGRESS' ? 'in_progress' : 'queued',
    conclusion: result === undefined ? undefined : STEP_CONCLUSIONS[result],
    headSha: pipeline.target?.commit?.hash ?? '',
    headBranch: pipeline.target?.ref_name,
    stage: undefined,
    url: stepPage,
    runnerName: undefined,
    // Bitbucket Pipelines has no step that may fail without failing its pipeline.
    allowFailure: false,
    createdAt,
    startedAt: step.started_on,
    completedAt: step.completed_on,
  };
}
