/** Node options for the upload benchmark's measured processes, for profiling them. */

/**
 * Extra node options for the bench's measured processes, from BENCH_NODE_ARGS (`--cpu-prof` is not
 * allowed in NODE_OPTIONS), e.g. `BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'`; with
 * BENCH_NODE_ARGS_FOR=client or =provider, only for those processes.
 */
export function benchNodeArgs(kind: 'client' | 'provider'): string[] {
  const only = process.env.BENCH_NODE_ARGS_FOR;
  if (only && only !== kind) return [];
  return (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
}
