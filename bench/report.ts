/**
 * What every benchmark returns, and how the runner prints it: a JSON document for machines and
 * plain-text tables (figures, then targets with whether each is met) for people.
 */
export interface Target {
  what: string;
  /** The measured value, in `unit`. */
  value: number;
  unit: string;
  /** The goal in words, e.g. `≥ 10000`. */
  goal: string;
  met: boolean;
  note?: string;
}

export interface BenchResult {
  name: string;
  /** Conditions of the run (machine load, sizes, settings). */
  conditions: Record<string, unknown>;
  /** Measured rows, each a flat record; each table printed under its title. */
  tables: Array<{ title: string; rows: Array<Record<string, string | number | boolean | null>> }>;
  targets: Target[];
}

const cell = (value: unknown) =>
  typeof value === 'number'
    ? Number.isInteger(value)
      ? String(value)
      : value.toFixed(2)
    : String(value ?? '');

export function formatTable(rows: ReadonlyArray<Record<string, unknown>>): string {
  if (rows.length === 0) return '(no rows)';
  const headers = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const body = rows.map((row) => headers.map((header) => cell(row[header])));
  const widths = headers.map((header, i) => Math.max(header.length, ...body.map((line) => line[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((text, i) => text.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

export function formatResult(result: BenchResult): string {
  return [
    `# ${result.name}`,
    Object.entries(result.conditions)
      .map(([key, value]) => `${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
      .join('\n'),
    ...result.tables.flatMap((table) => ['', `## ${table.title}`, formatTable(table.rows)]),
    '',
    '## targets',
    formatTable(
      result.targets.map((t) => ({
        target: t.what,
        measured: `${cell(t.value)} ${t.unit}`,
        goal: t.goal,
        met: t.met ? 'yes' : 'NO',
        note: t.note ?? '',
      })),
    ),
  ].join('\n');
}
