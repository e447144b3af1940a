import { DataSource } from 'typeorm';
import { DeliveryReader, WorkDelivery } from './delivery-reader';

/** No database behind it: a read that is not served from memory fails loudly. */
const noDatabase = { driver: {} } as unknown as DataSource;

function delivery(id: string, body = '{}'): WorkDelivery & { complete: boolean } {
  return {
    id,
    provider: 'github',
    source: 'default',
    repository: 'octo/repo',
    event: 'push',
    content_type: 'application/json',
    headers: '{}',
    body,
    final: false,
    test: false,
    complete: true,
  };
}

/** What load() gives back: the row without the relay's flag. */
function loaded(id: string, body = '{}'): WorkDelivery {
  const { complete: _complete, ...row } = delivery(id, body);
  return row;
}

describe('DeliveryReader prefetch', () => {
  it('serves a delivery the relay handed over once, then reads it from the database', async () => {
    const reader = new DeliveryReader(noDatabase);
    reader.remember([delivery('a'), delivery('b')]);
    await expect(reader.load('a')).resolves.toEqual(loaded('a'));
    await expect(reader.load('b')).resolves.toEqual(loaded('b'));
    await expect(reader.load('a')).rejects.toThrow(/no PostgreSQL pool/);
  });

  it('keeps the oldest deliveries when full (jobs are taken oldest first)', async () => {
    const reader = new DeliveryReader(noDatabase);
    const many = Array.from({ length: 2001 }, (_, i) => delivery(`d${i}`));
    reader.remember(many);
    await expect(reader.load('d0')).resolves.toEqual(loaded('d0'));
    await expect(reader.load('d1999')).resolves.toEqual(loaded('d1999'));
    await expect(reader.load('d2000')).rejects.toThrow(/no PostgreSQL pool/);
  });

  it('keeps no more than its byte bound', async () => {
    const reader = new DeliveryReader(noDatabase);
    const big = 'x'.repeat(40 * 1024 * 1024);
    reader.remember([delivery('big1', big), delivery('big2', big)]);
    await expect(reader.load('big1')).resolves.toMatchObject({ id: 'big1' });
    await expect(reader.load('big2')).rejects.toThrow(/no PostgreSQL pool/);
    // Taking one frees its room.
    reader.remember([delivery('big3', big)]);
    await expect(reader.load('big3')).resolves.toMatchObject({ id: 'big3' });
  });

  it('drops what nobody asked for within a minute (another process took those jobs)', async () => {
    const reader = new DeliveryReader(noDatabase);
    const start = Date.now();
    reader.remember(
      Array.from({ length: 2000 }, (_, i) => delivery(`old${i}`)),
      start,
    );
    reader.remember([delivery('new')], start + 61_000);
    await expect(reader.load('new')).resolves.toEqual(loaded('new'));
    await expect(reader.load('old0')).rejects.toThrow(/no PostgreSQL pool/);
  });

  it('does not keep a row whose body the relay left out (too large to hand over)', async () => {
    const reader = new DeliveryReader(noDatabase);
    reader.remember([{ ...delivery('large'), body: null, complete: false }]);
    await expect(reader.load('large')).rejects.toThrow(/no PostgreSQL pool/);
  });
});
