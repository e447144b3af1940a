import { Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { Job } from 'bullmq';
import { ALL_JOBS, JobName, JobPayloads } from './job-catalogue';
import { JobHandler } from './job-handler.decorator';

export type JobHandlerFn<N extends JobName = JobName> = (
  payload: JobPayloads[N],
  job: Job<JobPayloads[N]>,
) => Promise<unknown>;

/**
 * Finds every @JobHandler at boot and refuses to start unless each job name in the
 * catalogue has exactly one handler.
 */
@Injectable()
export class JobRegistry implements OnModuleInit {
  private readonly handlers = new Map<JobName, JobHandlerFn>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  onModuleInit(): void {
    const found = new Map<JobName, string[]>();
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (!instance || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const target = (instance as Record<string, unknown>)[method];
        if (typeof target !== 'function') continue;
        const name = this.discovery.getMetadataByDecorator(JobHandler, wrapper, method);
        if (!name) continue;
        const owner = `${instance.constructor.name}.${method}`;
        found.set(name, [...(found.get(name) ?? []), owner]);
        const handler: JobHandlerFn = (target as JobHandlerFn).bind(instance);
        this.handlers.set(name, handler);
      }
    }
    const problems = checkCoverage(found);
    if (problems.length > 0) throw new Error(`Job catalogue: ${problems.join('; ')}`);
  }

  handlerFor(name: JobName): JobHandlerFn {
    const handler = this.handlers.get(name);
    if (!handler) throw new Error(`No handler for job ${name}`);
    return handler;
  }
}

export function checkCoverage(found: ReadonlyMap<JobName, string[]>): string[] {
  const problems: string[] = [];
  for (const name of ALL_JOBS) {
    const owners = found.get(name) ?? [];
    if (owners.length === 0) problems.push(`job "${name}" has no handler`);
    if (owners.length > 1)
      problems.push(`job "${name}" has ${owners.length} handlers: ${owners.join(', ')}`);
  }
  return problems;
}
