/**
 * The `approval` namespace: requests to sign or spend, raised by the main process and answered
 * by the user. An answer must carry the hash the user was shown; the main process signs only its
 * own copy of what that hash covers. In Electron only the approval window may answer.
 */
import { z } from 'zod';
import { Address, Eip712DomainSchema, Hash32, TokenAmount } from './chain-values';
import { method } from './define';

export const ApprovalKind = z.enum(['deposit', 'withdraw', 'upload']);
export type ApprovalKind = z.infer<typeof ApprovalKind>;

export const ApprovalSummary = z.object({
  /** One line: what is being approved. */
  title: z.string().max(200),
  /** The account that signs and pays. */
  account: Address,
  /** The most this approval can spend. */
  amount: TokenAmount,
  /** Unix seconds after which nothing more is signed under this approval. */
  deadline: z.number().int().nonnegative(),
  counterparties: z
    .array(z.object({ role: z.string().max(40), address: Address, label: z.string().max(200).nullable() }))
    .max(64),
  /** Further facts (files, size, copies, typed-data fields), as label/value pairs. */
  details: z.array(z.object({ label: z.string().max(60), value: z.string().max(500) })).max(64),
});
export type ApprovalSummary = z.infer<typeof ApprovalSummary>;

/** 12 random bytes, base64url. */
export const ApprovalId = z.string().regex(/^[A-Za-z0-9_-]{16}$/, 'expected an approval id');

export const ApprovalRequest = z.object({
  id: ApprovalId,
  kind: ApprovalKind,
  /** What the answer must present: the EIP-712 hash, or the hash of the upload's scope. */
  hash: Hash32,
  /** The EIP-712 domains whose payloads this approval lets the main process sign. */
  domains: z.array(Eip712DomainSchema),
  summary: ApprovalSummary,
  createdAt: z.number().int(),
  expiresAt: z.number().int(),
});
export type ApprovalRequest = z.infer<typeof ApprovalRequest>;

export const ApprovalOutcome = z.enum(['approved', 'rejected', 'expired', 'cancelled']);
export type ApprovalOutcome = z.infer<typeof ApprovalOutcome>;

export const approvalMethods = {
  list: method(
    'Approvals waiting for an answer.',
    z.object({}).strict(),
    z.object({ approvals: z.array(ApprovalRequest) }),
  ),
  respond: method(
    'Approve or reject one request, presenting the hash that was shown.',
    z.object({ id: ApprovalId, hash: Hash32, decision: z.enum(['approve', 'reject']) }).strict(),
    z.object({ id: ApprovalId, outcome: ApprovalOutcome }),
  ),
};

export const approvalEvents = {
  'approval.requested': ApprovalRequest,
  'approval.settled': z.object({ id: ApprovalId, outcome: ApprovalOutcome }),
};

/** The channels the Electron approval window may call (and the only ones its preload exposes). */
export const APPROVAL_WINDOW_CHANNELS = ['approval.list', 'approval.respond'] as const;

/** The slice of the contract the approval window sees (its preload is built from this alone). */
export const approvalContract = {
  methods: { approval: approvalMethods },
  events: approvalEvents,
} as const;
