import { DiscoveryService } from '@nestjs/core';
import type { JobName } from './job-catalogue';

/**
 * Marks a provider method as the handler of one job. The method receives the job's typed
 * payload and the BullMQ job; exactly one handler must exist per job name (checked at boot).
 */
export const JobHandler = DiscoveryService.createDecorator<JobName>();
