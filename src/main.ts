import module from 'node:module';

// V8's compiled code for dist/ kept on disk (Node 22.1+; in the OS temporary directory unless
// NODE_COMPILE_CACHE names another, keyed by each file's content): later starts skip parsing and
// compiling the ~5 MB bundle, about half of Tocsin's own start time (issue 14, start). Enabled before
// anything else loads, so it covers the command modules too.
module.enableCompileCache?.();

const { exitWhenDrained, stopQuietlyWhenReaderLeaves } = await import('./cli/output.ts');
stopQuietlyWhenReaderLeaves();
const { runCli } = await import('./cli/run.ts');

const code = await runCli(process.argv);
if (code !== null) await exitWhenDrained(code);
