/**
 * What every command needs from the outside world, passed in rather than reached for, so tests
 * can run commands in-process and read what they printed.
 */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Working directory that relative paths are resolved against. */
  cwd: string;
}

export const processIO: CliIO = {
  stdout: text => { process.stdout.write(text); },
  stderr: text => { process.stderr.write(text); },
  cwd: process.cwd(),
};

/** Exit codes shared by every command (as `opa` uses them). */
export const EXIT_OK = 0;
/** Policy errors, failing tests, undefined under `--fail`. */
export const EXIT_FAIL = 1;
/** The command line itself is wrong. */
export const EXIT_USAGE = 2;

/** A mistake in the command line: reported as one line, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
