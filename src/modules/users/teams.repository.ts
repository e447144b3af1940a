import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { keysetCursor, PositionedRow } from '../../core/database/keyset-cursor';
import { sqlStateOf } from '../../core/database/transient-errors';
import { AppError, ErrorCode } from '../../core/http/app-error';
import { TeamMemberView, TeamPageView, TeamView } from './teams.dto';

interface TeamRow extends PositionedRow {
  id: string;
  name: string;
  members: TeamMemberView[];
  created_at: Date;
  updated_at: Date;
}

const UNIQUE_VIOLATION = '23505';

const cursor = keysetCursor({
  name: 'teams',
  keys: [{ sql: 't.name', type: 'text' }],
  id: 't.id',
  direction: 'asc',
});

const SELECT = `SELECT t.id, t.name, t.created_at, t.updated_at,
  coalesce((SELECT json_agg(json_build_object('personId', p.id, 'displayName', p.display_name)
                            ORDER BY p.display_name, p.id)
            FROM team_members m JOIN people p ON p.id = m.person_id WHERE m.team_id = t.id), '[]') AS members
  FROM teams t`;

function view(row: TeamRow): TeamView {
  return {
    id: row.id,
    name: row.name,
    members: row.members,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Teams: named groups of people. */
@Injectable()
export class TeamsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async page(after: string | undefined, limit: number): Promise<TeamPageView> {
    const params: unknown[] = [];
    const param = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const where = after ? `WHERE ${cursor.after(after, param)}` : '';
    const rows = await this.dataSource.query<TeamRow[]>(
      `${SELECT.replace('SELECT t.id', `SELECT ${cursor.select}, t.id`)} ${where}
       ORDER BY ${cursor.orderBy} LIMIT ${param(limit + 1)}`,
      params,
    );
    const page = cursor.page(rows, limit);
    return { items: page.rows.map(view), nextCursor: page.nextCursor };
  }

  async get(id: string, tx: EntityManager = this.dataSource.manager): Promise<TeamView> {
    const [row] = await tx.query<TeamRow[]>(`${SELECT} WHERE t.id = $1`, [id]);
    if (!row) throw new AppError(ErrorCode.NotFound, `Team ${id} does not exist`);
    return view(row);
  }

  create(name: string, members: string[]): Promise<TeamView> {
    return this.write(async (tx) => {
      const [row] = await tx.query<{ id: string }[]>(
        'INSERT INTO teams (name) VALUES ($1) RETURNING id',
        [name],
      );
      await this.setMembers(tx, row.id, members);
      return this.get(row.id, tx);
    });
  }

  update(id: string, name: string | undefined, members: string[] | undefined): Promise<TeamView> {
    return this.write(async (tx) => {
      const rows = await tx.query<{ id: string }[]>(
        'WITH changed AS (UPDATE teams SET name = coalesce($2, name), updated_at = now() WHERE id = $1 RETURNING id) SELECT id FROM changed',
        [id, name ?? null],
      );
      if (rows.length === 0) throw new AppError(ErrorCode.NotFound, `Team ${id} does not exist`);
      if (members !== undefined) await this.setMembers(tx, id, members);
      return this.get(id, tx);
    });
  }

  async delete(id: string): Promise<void> {
    const rows = await this.dataSource.query<{ id: string }[]>(
      'WITH gone AS (DELETE FROM teams WHERE id = $1 RETURNING id) SELECT id FROM gone',
      [id],
    );
    if (rows.length === 0) throw new AppError(ErrorCode.NotFound, `Team ${id} does not exist`);
  }

  private async setMembers(tx: EntityManager, teamId: string, members: string[]): Promise<void> {
    const unique = [...new Set(members.map((m) => m.toLowerCase()))];
    const known = await tx.query<{ id: string }[]>(
      'SELECT id FROM people WHERE id = ANY($1::uuid[])',
      [unique],
    );
    const missing = unique.filter((m) => !known.some((k) => k.id === m));
    if (missing.length > 0) {
      throw new AppError(ErrorCode.NotFound, `Unknown person: ${missing.join(', ')}`, {
        members: missing,
      });
    }
    await tx.query('DELETE FROM team_members WHERE team_id = $1', [teamId]);
    await tx.query('INSERT INTO team_members (team_id, person_id) SELECT $1, unnest($2::uuid[])', [
      teamId,
      unique,
    ]);
  }

  private async write<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.dataSource.transaction(work);
    } catch (error) {
      if (sqlStateOf(error) === UNIQUE_VIOLATION) {
        throw new AppError(ErrorCode.Conflict, 'A team with this name exists');
      }
      throw error;
    }
  }
}
