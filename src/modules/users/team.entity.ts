import {
  Column,
  Entity,
  ForeignKey,
  Index,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  Unique,
} from 'typeorm';
import { PersonEntity } from './person.entity';

/** A named group of people; every metric can be asked for a team. */
@Entity('teams')
@Unique('teams_name_unique', ['name'])
export class TeamEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('text') name!: string;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' }) updatedAt!: Date;
}

@Entity('team_members')
@Index('team_members_person_idx', ['personId'])
export class TeamMemberEntity {
  @PrimaryColumn('uuid', { name: 'team_id' })
  @ForeignKey(() => TeamEntity, { name: 'team_members_team_id_fkey', onDelete: 'CASCADE' })
  teamId!: string;

  @PrimaryColumn('uuid', { name: 'person_id' })
  @ForeignKey(() => PersonEntity, { name: 'team_members_person_id_fkey', onDelete: 'CASCADE' })
  personId!: string;
}
