/** Command-line parsing on top of `node:util` `parseArgs`, with usage errors as `UsageError`. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './io.js';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed<O extends Options> {
  values: { [K in keyof O]?: O[K] extends { type: 'boolean' } ? boolean : O[K] extends { multiple: true } ? string[] : string };
  positionals: string[];
}

/** Parses `argv` for `command`; unknown options and missing values become one-line usage errors. */
export function parseCommand<O extends Options>(command: string, argv: string[], options: O): Parsed<O> {
  try {
    const r = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return r as unknown as Parsed<O>;
  } catch (e) {
    // Node's messages are multi-line and mention parseArgs internals; keep the first sentence.
    const raw = e instanceof Error ? e.message : String(e);
    const first = raw.split('\n')[0]!.replace(/\. To specify a positional argument.*$/, '');
    throw new UsageError(`pol ${command}: ${first.charAt(0).toLowerCase()}${first.slice(1)}`);
  }
}

/** Parses a `--flag` value as a regular expression, reporting a bad one as a usage error. */
export function regexOption(command: string, flag: string, source: string | undefined): RegExp | undefined {
  if (source === undefined) return undefined;
  try {
    return new RegExp(source);
  } catch {
    throw new UsageError(`pol ${command}: --${flag} is not a valid regular expression: ${source}`);
  }
}
