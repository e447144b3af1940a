import { Injectable, PipeTransform } from '@nestjs/common';
import { QueueKeys } from 'bullmq';
import { AppError, ErrorCode } from '../../../core/http/app-error';
import { canonicalUuid, isUuid } from '../../../core/http/uuid';

/**
 * Names BullMQ keeps beside the jobs in `<prefix>:<queue>:<name>` (meta, events, id, wait,
 * completed, …): a job id equal to one would read that key as a job hash. Asked of BullMQ
 * itself, plus the metrics keys it adds under `metrics:`.
 */
const RESERVED = new Set([...Object.keys(new QueueKeys().getKeys('q')), 'metrics']);

/** Job ids this API hands out: BullMQ's numbers, delivery UUIDs, and plain names. */
const JOB_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$/;

/** Checks a job id path parameter; UUIDs (delivery jobs) in lower case. */
@Injectable()
export class ParseJobIdPipe implements PipeTransform<unknown, string> {
  transform(value: unknown): string {
    if (typeof value !== 'string' || !JOB_ID.test(value) || RESERVED.has(value)) {
      throw new AppError(
        ErrorCode.ValidationFailed,
        'id must be a job id: letters, digits, ".", "_" or "-" (at most 200), and not a name BullMQ reserves',
        { field: 'id' },
      );
    }
    return isUuid(value) ? canonicalUuid(value) : value;
  }
}
