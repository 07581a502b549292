/**
 * The building blocks of the API contract and the types derived from it.
 *
 * A contract is a record of namespaces, each a record of methods (`{ input, output }` schemas),
 * plus a record of events (payload schemas). Everything that talks across the renderer/main
 * boundary — Electron IPC, the preload, the browser host, the renderer client — is produced from
 * one contract value, and its TypeScript types are derived here, never restated.
 */
import type { z } from 'zod';

export interface MethodSpec<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  readonly input: I;
  readonly output: O;
  /** One line for help text and generated docs. */
  readonly summary: string;
}

export function method<I extends z.ZodType, O extends z.ZodType>(
  summary: string,
  input: I,
  output: O,
): MethodSpec<I, O> {
  return { summary, input, output };
}

export type Namespace = Record<string, MethodSpec>;
export type MethodTable = Record<string, Namespace>;
export type EventTable = Record<string, z.ZodType>;

export interface ContractShape {
  readonly methods: MethodTable;
  readonly events: EventTable;
}

/** `'upload.start'`-style names of every method of a contract. */
export type ChannelOf<C extends ContractShape> = {
  [NS in keyof C['methods'] & string]: `${NS}.${keyof C['methods'][NS] & string}`;
}[keyof C['methods'] & string];

/** What a caller (renderer) sees: `api.upload.start(input) → Promise<output>`. */
export type ClientApi<C extends ContractShape> = {
  [NS in keyof C['methods']]: {
    [M in keyof C['methods'][NS]]: (
      input: z.input<C['methods'][NS][M]['input']>,
    ) => Promise<z.output<C['methods'][NS][M]['output']>>;
  };
};

/** Who is calling a handler; transports fill it in. */
export interface CallContext {
  readonly transport: 'ipc' | 'host' | 'cli' | 'test';
}

/** What a service implements: parsed input in, a value matching the output schema out. */
export type Handlers<C extends ContractShape> = {
  [NS in keyof C['methods']]: {
    [M in keyof C['methods'][NS]]: (
      input: z.output<C['methods'][NS][M]['input']>,
      context: CallContext,
    ) => Promise<z.input<C['methods'][NS][M]['output']>>;
  };
};

export type EventName<C extends ContractShape> = keyof C['events'] & string;
export type EventPayload<C extends ContractShape, E extends EventName<C>> = z.output<C['events'][E]>;

export type Unsubscribe = () => void;

/** The event half of the client API. */
export interface EventSubscriber<C extends ContractShape> {
  on<E extends EventName<C>>(event: E, listener: (payload: EventPayload<C, E>) => void): Unsubscribe;
}

/** Lists `[namespace, method, channel]` for every method, in contract order. */
export function listChannels(contract: ContractShape): Array<[string, string, string]> {
  const out: Array<[string, string, string]> = [];
  for (const [ns, methods] of Object.entries(contract.methods)) {
    for (const name of Object.keys(methods)) out.push([ns, name, `${ns}.${name}`]);
  }
  return out;
}

/** Finds a method by channel name, only among the contract's own keys (no prototype lookups). */
export function findMethod(contract: ContractShape, channel: string): MethodSpec | undefined {
  const dot = channel.indexOf('.');
  if (dot <= 0) return undefined;
  const ns = channel.slice(0, dot);
  const name = channel.slice(dot + 1);
  if (!Object.hasOwn(contract.methods, ns)) return undefined;
  const methods = contract.methods[ns]!;
  return Object.hasOwn(methods, name) ? methods[name] : undefined;
}

export function isContractEvent(contract: ContractShape, event: string): boolean {
  return Object.hasOwn(contract.events, event);
}

/** IPC channel names: prefixed so no Electron-internal or foreign channel can collide. */
export const ipcChannel = (channel: string): string => `coffer:${channel}`;
export const ipcEventChannel = (event: string): string => `coffer-event:${event}`;
