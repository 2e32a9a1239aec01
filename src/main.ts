import { exitWhenDrained } from './cli/output.ts';
import { runCli } from './cli/run.ts';

const code = await runCli(process.argv);
if (code !== null) await exitWhenDrained(code);
