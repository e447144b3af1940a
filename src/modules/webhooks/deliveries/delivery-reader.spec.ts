import { DataSource } from 'typeorm';
import { DeliveryReader, WorkDelivery } from './delivery-reader';

/** No database behind it: a read that is not served from memory fails loudly. */
const noDatabase = { driver: {} } as unknown as DataSource;

function delivery(id: string, body = '{}'): WorkDelivery {
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
  };
}

describe('DeliveryReader prefetch', () => {
  it('serves a delivery the relay handed over once, then reads it from the database', async () => {
    const reader = new DeliveryReader(noDatabase);
    reader.remember([delivery('a'), delivery('b')]);
    await expect(reader.load('a')).resolves.toEqual(delivery('a'));
    await expect(reader.load('b')).resolves.toEqual(delivery('b'));
    await expect(reader.load('a')).rejects.toThrow(/no PostgreSQL pool/);
  });

  it('drops the oldest deliveries beyond its bounds', async () => {
    const reader = new DeliveryReader(noDatabase);
    const many = Array.from({ length: 2001 }, (_, i) => delivery(`d${i}`));
    reader.remember(many);
    await expect(reader.load('d0')).rejects.toThrow(/no PostgreSQL pool/);
    await expect(reader.load('d1')).resolves.toEqual(delivery('d1'));
    await expect(reader.load('d2000')).resolves.toEqual(delivery('d2000'));

    const big = 'x'.repeat(40 * 1024 * 1024);
    reader.remember([delivery('big1', big), delivery('big2', big)]);
    await expect(reader.load('big1')).rejects.toThrow(/no PostgreSQL pool/);
    await expect(reader.load('big2')).resolves.toMatchObject({ id: 'big2' });
  });
});
