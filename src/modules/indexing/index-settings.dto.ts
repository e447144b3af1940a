import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsString, Length, ValidateBy } from 'class-validator';
import { isBranchPattern } from './branch-patterns';

export class IndexSettingsView {
  @ApiProperty({ format: 'uuid' }) repositoryId!: string;
  @ApiProperty({
    type: [String],
    example: ['develop', 'release/*'],
    description:
      'Branches indexed besides the default one: exact names or globs (`*` and `?` within one `/` part, `**` across parts)',
  })
  indexedBranches!: string[];
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) updatedAt!: string | null;
}

export class UpdateIndexSettingsDto {
  @ApiProperty({
    type: [String],
    maxItems: 50,
    example: ['develop', 'release/*'],
    description:
      'Replaces the list. Branches that stop matching lose their index at the next run, which this change starts.',
  })
  @IsArray()
  @ArrayMaxSize(50)
  @ArrayUnique()
  @IsString({ each: true })
  @Length(1, 255, { each: true })
  @ValidateBy(
    {
      name: 'branchPattern',
      validator: {
        validate: (value) => typeof value === 'string' && isBranchPattern(value),
        defaultMessage: () =>
          'each of indexedBranches must be a branch name or glob git could match',
      },
    },
    { each: true },
  )
  indexedBranches!: string[];
}
