import pg from 'pg';

/** A notification as a listener heard it. */
export interface Heard {
  channel: string;
  payload: string;
}

/**
 * A connection LISTENing on `channels` of the test store, for tests of what a commit announces.
 * take() returns what was heard since the last take, in arrival order: a round trip on the
 * listening connection first brings in every notification of what committed before it.
 */
export async function listenOn(
  url: string,
  channels: string[],
): Promise<{ take(): Promise<Heard[]>; end(): Promise<void> }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const heard: Heard[] = [];
  client.on('notification', (n) => heard.push({ channel: n.channel, payload: n.payload ?? '' }));
  for (const channel of channels) await client.query(`listen ${pg.escapeIdentifier(channel)}`);
  return {
    async take() {
      await client.query('select 1');
      return heard.splice(0);
    },
    end: () => client.end(),
  };
}
