/**
 * The browser host's WebSocket messages. A call is `{ id, method, input }`; the answer is
 * `{ kind: 'result', id, envelope }`; events arrive as `{ kind: 'event', event, payload }`.
 */
import { z } from 'zod';
import type { Envelope, ErrorBody } from './errors';

/** The per-run token travels as a WebSocket subprotocol: `coffer-token.<token>`. */
export const TOKEN_PROTOCOL_PREFIX = 'coffer-token.';

const ClientMessage = z.object({
  id: z.number().int().nonnegative(),
  method: z.string().min(1).max(128),
  input: z.unknown(),
});
export type ClientMessage = z.infer<typeof ClientMessage>;

export type ServerMessage =
  | { kind: 'result'; id: number; envelope: Envelope<unknown> }
  | { kind: 'error'; id: number | null; error: ErrorBody }
  | { kind: 'event'; event: string; payload: unknown };

export function parseClientMessage(
  text: string,
): { ok: true; value: ClientMessage } | { ok: false; id: number | null; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, id: null, reason: 'Message is not valid JSON' };
  }
  const parsed = ClientMessage.safeParse(json);
  if (!parsed.success) {
    const id = typeof (json as { id?: unknown })?.id === 'number' ? (json as { id: number }).id : null;
    return { ok: false, id, reason: `Malformed call: ${parsed.error.issues[0]?.message ?? 'invalid'}` };
  }
  return { ok: true, value: parsed.data };
}
