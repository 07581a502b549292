/**
 * A small command-tree framework for `coffer`: groups of commands, each with its options, help
 * at every level (`coffer --help`, `coffer wallet --help`, `coffer wallet deposit --help`), and
 * one error style. Feature modules (wallet, upload, sync) each export a group from
 * electron/cli/<feature>-commands.ts and electron/cli.ts lists them.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Placeholder for the value in help, e.g. `<file>`. */
  value?: string;
  description: string;
}

export type Options = Record<string, OptionSpec>;
export type Values<O extends Options> = {
  [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string;
};

export interface CommandContext<O extends Options> {
  values: Values<O> & Values<typeof GLOBAL_OPTIONS>;
  positionals: string[];
  out: (line?: string) => void;
  err: (line: string) => void;
}

export interface Command<O extends Options = Options> {
  kind: 'command';
  name: string;
  summary: string;
  /** Positional arguments, for help: e.g. `<amount>`. */
  args?: string;
  options: O;
  run(context: CommandContext<O>): Promise<void>;
}

export interface Group {
  kind: 'group';
  name: string;
  summary: string;
  children: Array<Command<Options> | Group>;
}

/** Options every command takes. */
export const GLOBAL_OPTIONS = {
  'data-dir': {
    type: 'string',
    value: '<dir>',
    description: 'Coffer data folder (default: $COFFER_HOME or the platform default)',
  },
  network: {
    type: 'string',
    value: '<manifest.json>',
    description: "Network manifest (default: the data folder's network.json)",
  },
  help: { type: 'boolean', short: 'h', description: 'Show help for this command' },
} as const satisfies Options;

/** A usage error: printed with the command's help hint, exit code 2. */
export class UsageError extends Error {}

export function command<O extends Options>(spec: Omit<Command<O>, 'kind'>): Command<Options> {
  return { kind: 'command', ...spec } as unknown as Command<Options>;
}

export function group(name: string, summary: string, children: Group['children']): Group {
  return { kind: 'group', name, summary, children };
}

/** Runs argv against the tree; returns the exit code. */
export async function runCommandLine(
  root: Group,
  argv: string[],
  io: { out: (line?: string) => void; err: (line: string) => void },
): Promise<number> {
  const path: string[] = [root.name];
  let node: Command<Options> | Group = root;
  let rest = argv;
  while (node.kind === 'group') {
    const [next, ...tail] = rest;
    if (!next || next === '--help' || next === '-h' || next === 'help') {
      io.out(groupHelp(node, path));
      return next ? 0 : 2;
    }
    const child: Command<Options> | Group | undefined = node.children.find((c) => c.name === next);
    if (!child) {
      io.err(`${path.join(' ')}: unknown command "${next}". Run \`${path.join(' ')} --help\`.`);
      return 2;
    }
    node = child;
    path.push(child.name);
    rest = tail;
  }
  const cmd: Command<Options> = node;
  const options: Options = { ...GLOBAL_OPTIONS, ...cmd.options };
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: rest,
      options: Object.fromEntries(
        Object.entries(options).map(([name, spec]) => [
          name,
          { type: spec.type, ...(spec.short ? { short: spec.short } : {}) },
        ]),
      ) as ParseArgsConfig['options'],
      allowPositionals: true,
      strict: true,
    }) as typeof parsed;
  } catch (error) {
    io.err(`${path.join(' ')}: ${(error as Error).message}. Run \`${path.join(' ')} --help\`.`);
    return 2;
  }
  if (parsed.values.help) {
    io.out(commandHelp(cmd, path));
    return 0;
  }
  try {
    await cmd.run({
      values: parsed.values as CommandContext<Options>['values'],
      positionals: parsed.positionals,
      ...io,
    });
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${path.join(' ')}: ${error.message}. Run \`${path.join(' ')} --help\`.`);
      return 2;
    }
    const coded = error as { code?: string; message?: string };
    io.err(`${path.join(' ')}: ${coded.message ?? String(error)}${coded.code ? ` (${coded.code})` : ''}`);
    return 1;
  }
}

function groupHelp(node: Group, path: string[]): string {
  const width = Math.max(...node.children.map((c) => c.name.length)) + 2;
  return [
    `Usage: ${path.join(' ')} <command> [options]`,
    '',
    node.summary,
    '',
    'Commands:',
    ...node.children.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    `Run \`${path.join(' ')} <command> --help\` for a command's options.`,
  ].join('\n');
}

function commandHelp(cmd: Command<Options>, path: string[]): string {
  const flagOf = (name: string, spec: Options[string]) =>
    `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.value ? ` ${spec.value}` : ''}`;
  // One column for every option of the page, two spaces past the longest flag.
  const width =
    Math.max(...Object.entries({ ...cmd.options, ...GLOBAL_OPTIONS }).map(([n, s]) => flagOf(n, s).length)) +
    2;
  const lines = (options: Options) =>
    Object.entries(options).map(([name, spec]) => `  ${flagOf(name, spec).padEnd(width)}${spec.description}`);
  return [
    `Usage: ${path.join(' ')}${cmd.args ? ` ${cmd.args}` : ''} [options]`,
    '',
    cmd.summary,
    ...(Object.keys(cmd.options).length ? ['', 'Options:', ...lines(cmd.options)] : []),
    '',
    'Global options:',
    ...lines(GLOBAL_OPTIONS),
  ].join('\n');
}
