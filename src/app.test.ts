import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { recalibrate } from './app.ts';
import { DatabaseClock } from './db/clock.ts';
import { connect } from './db/connect.ts';
import { freePort } from './db/embedded.ts';

describe('clock recalibration', () => {
  it('logs a failed recalibration instead of dropping it', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    // Nothing listens on this port: the store is unreachable.
    const { db } = connect(`postgres://nobody@127.0.0.1:${await freePort()}/none`);
    try {
      await recalibrate(db, new DatabaseClock(), pino({ level: 'info' }, sink));
    } finally {
      await db.destroy();
    }
    expect(lines.join('')).toContain('clock recalibration against the database failed');
  });
});
