/**
 * A small contract for transport tests: methods with real fields, so a test can check that a bad
 * field is named in the error, without depending on any one feature's schemas.
 */
import { z } from 'zod';
import { method, type Handlers } from '../../shared/api/define';
import { CofferError } from '../../shared/api/errors';

export const demoContract = {
  methods: {
    demo: {
      plan: method(
        'Echo a plan back.',
        z.object({ copies: z.number().int().min(1).max(8), name: z.string().min(1) }).strict(),
        z.object({ summary: z.string() }),
      ),
      fail: method('Always fails with a coded error.', z.object({}), z.object({})),
      leak: method(
        'Returns more than its schema allows.',
        z.object({}),
        z.object({ ok: z.boolean() }).strict(),
      ),
    },
  },
  events: {
    'demo.tick': z.object({ n: z.number() }),
  },
} as const;

export const demoHandlers: Handlers<typeof demoContract> = {
  demo: {
    plan: async ({ copies, name }) => ({ summary: `${name} x${copies}` }),
    fail: async () => {
      throw new CofferError('NOT_FOUND', 'Nothing here');
    },
    leak: async () => ({ ok: true, secret: 'must not cross' }) as unknown as { ok: boolean },
  },
};
