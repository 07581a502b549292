/**
 * Transport-independent call handling: find the method in the contract, parse the input with its
 * schema, run the handler, and answer with an envelope. Electron IPC, the browser host and the
 * tests all go through this one function, so every path validates the same way.
 */
import { CofferError, describeIssues, toErrorBody, type Envelope } from '../../../shared/api/errors';
import { findMethod, type CallContext, type ContractShape, type Handlers } from '../../../shared/api/define';

export type Dispatch = (
  channel: string,
  rawInput: unknown,
  context: CallContext,
) => Promise<Envelope<unknown>>;

type AnyHandler = (input: unknown, context: CallContext) => Promise<unknown>;

export interface DispatcherOptions {
  /** Called with every failure that is not a plain user error, for the log. */
  onInternalError?: (channel: string, error: unknown) => void;
}

export function createDispatcher<C extends ContractShape>(
  contract: C,
  handlers: Handlers<C>,
  options: DispatcherOptions = {},
): Dispatch {
  return async (channel, rawInput, context) => {
    const spec = findMethod(contract, channel);
    if (!spec) {
      return failure(new CofferError('UNKNOWN_METHOD', `No such method: ${String(channel).slice(0, 80)}`));
    }
    const parsed = spec.input.safeParse(rawInput ?? {});
    if (!parsed.success) {
      return failure(
        new CofferError('INVALID_INPUT', `Invalid input for ${channel}: ${describeIssues(parsed.error)}`, {
          issues: parsed.error.issues.map((issue) => ({
            path: issue.path.map(String),
            message: issue.message,
          })),
        }),
      );
    }
    const [ns, name] = splitChannel(channel);
    const handler = (handlers as Record<string, Record<string, AnyHandler>>)[ns]?.[name];
    if (!handler) return failure(new CofferError('UNKNOWN_METHOD', `Method ${channel} has no handler`));
    try {
      const value = await handler(parsed.data, context);
      // The output schema is checked too: a handler must never leak fields the contract does not name.
      const output = spec.output.safeParse(value);
      if (!output.success) {
        options.onInternalError?.(channel, output.error);
        return failure(new CofferError('INTERNAL', `The core returned a malformed result for ${channel}`));
      }
      return { ok: true, value: output.data };
    } catch (error) {
      if (!(error instanceof CofferError)) options.onInternalError?.(channel, error);
      return failure(error);
    }
  };
}

function splitChannel(channel: string): [string, string] {
  const dot = channel.indexOf('.');
  return [channel.slice(0, dot), channel.slice(dot + 1)];
}

function failure(error: unknown): Envelope<never> {
  return { ok: false, error: toErrorBody(error) };
}
