import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppError, ErrorCode } from '../../core/http/app-error';
import { keysetCursor, PositionedRow } from '../../core/database/keyset-cursor';
import { ListPeopleQuery, PersonDetailView, PersonPageView, PersonView } from './people.dto';
import { containsPattern, SqlQuery } from '../../core/database/sql';

interface PersonRow {
  id: string;
  display_name: string | null;
  primary_email: string | null;
  created_at: Date;
  updated_at: Date;
}

interface IdentityRow {
  id: string;
  provider: string;
  external_id: string | null;
  login: string | null;
  name: string | null;
  email: string | null;
  avatar_url: string | null;
  bot: boolean;
}

const COLUMNS = 'p.id, p.display_name, p.primary_email, p.created_at, p.updated_at';

// Named people first, alphabetically; the nameless after them (a row comparison needs no NULLs).
const cursor = keysetCursor({
  name: 'people',
  keys: [
    { sql: 'p.display_name IS NULL', type: 'boolean' },
    { sql: "coalesce(p.display_name, '')", type: 'text' },
  ],
  id: 'p.id',
  direction: 'asc',
});

function view(row: PersonRow): PersonView {
  return {
    id: row.id,
    displayName: row.display_name,
    primaryEmail: row.primary_email,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Reads of people and their forge identities. */
@Injectable()
export class PeopleRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async page(query: ListPeopleQuery, limit: number): Promise<PersonPageView> {
    const parts = new SqlQuery();
    if (query.q !== undefined) {
      const pattern = parts.param(containsPattern(query.q));
      parts.where(
        `(p.display_name ILIKE ${pattern} OR p.primary_email ILIKE ${pattern} OR EXISTS (
           SELECT 1 FROM identities i WHERE i.person_id = p.id
             AND (i.login ILIKE ${pattern} OR i.email ILIKE ${pattern})))`,
      );
    }
    if (query.cursor) parts.where(cursor.after(query.cursor, parts.param));
    const rows = await this.dataSource.query<(PersonRow & PositionedRow)[]>(
      `SELECT ${COLUMNS}, ${cursor.select} FROM people p
       WHERE ${parts.whereSql} ORDER BY ${cursor.orderBy} LIMIT ${parts.param(limit + 1)}`,
      parts.params,
    );
    const page = cursor.page(rows, limit);
    return { items: page.rows.map(view), nextCursor: page.nextCursor };
  }

  async detail(id: string): Promise<PersonDetailView> {
    const [row] = await this.dataSource.query<PersonRow[]>(
      `SELECT ${COLUMNS} FROM people p WHERE p.id = $1`,
      [id],
    );
    if (!row) throw new AppError(ErrorCode.NotFound, `Person ${id} does not exist`);
    const identities = await this.dataSource.query<IdentityRow[]>(
      `SELECT id, provider, external_id, login, name, email, avatar_url, bot FROM identities
       WHERE person_id = $1 ORDER BY provider, login NULLS LAST, id`,
      [id],
    );
    return {
      ...view(row),
      identities: identities.map((i) => ({
        id: i.id,
        provider: i.provider,
        externalId: i.external_id,
        login: i.login,
        name: i.name,
        email: i.email,
        avatarUrl: i.avatar_url,
        bot: i.bot,
      })),
    };
  }
}
