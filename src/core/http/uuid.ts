import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { AppError, ErrorCode } from './app-error';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a UUID in any case (PostgreSQL reads both). */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/**
 * A UUID as everything after the edge sees it: lower case. PostgreSQL compares uuids in any
 * case, but job ids, maps and string comparisons do not, so an id is lower-cased once, where
 * it is parsed.
 */
export function canonicalUuid(value: string): string {
  return value.toLowerCase();
}

/** Path parameters that are UUIDs: 400 naming the parameter, else the id in lower case. */
@Injectable()
export class ParseUuidPipe implements PipeTransform<unknown, string> {
  transform(value: unknown, metadata: ArgumentMetadata): string {
    if (!isUuid(value)) {
      const name = metadata.data ?? 'id';
      throw new AppError(ErrorCode.ValidationFailed, `${name} must be a UUID`, { field: name });
    }
    return canonicalUuid(value);
  }
}

/** DTO fields holding UUIDs (or arrays of them): lower-cased before validation. */
export function LowerCaseUuid(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) => {
    if (typeof value === 'string') return canonicalUuid(value);
    if (Array.isArray(value)) {
      return value.map((item: unknown) => (typeof item === 'string' ? canonicalUuid(item) : item));
    }
    return value;
  });
}
