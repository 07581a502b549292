/**
 * The payer's signatures for one copy, made ONCE per provider per upload under the upload's
 * approval: CreateDataSet (used only if the data set does not exist yet) and AddPieces over every
 * piece of the upload, with a random nonce. The same AddPieces authorises the provider's pulls
 * and its commit. Journaled once made, so a resume reuses them until their deadline.
 */
import { randomBytes } from 'node:crypto';
import type { Hex } from 'viem';
import type { AddPiecesAuthorization } from '../../../shared/provider/wire';
import { addPiecesPayload, createDataSetPayload } from '../signer/typed-data';
import type { RunContext } from './run-context';
import type { Copy } from './upload-copy';
import { UploadHalted } from './upload-errors';

/** An authorisation this close to its deadline is signed again rather than used. */
const DEADLINE_MARGIN_SECONDS = 10 * 60;

export function authorizationUsable(copy: Copy): boolean {
  const deadline = copy.authorization ? Number(copy.authorization.addPieces.deadline) : 0;
  return deadline > Date.now() / 1000 + DEADLINE_MARGIN_SECONDS;
}

/** The copy's AddPieces authorisation as a pull or commit carries it (every piece's digest). */
export function addPiecesWire(context: Pick<RunContext, 'plan'>, copy: Copy): AddPiecesAuthorization | null {
  if (!copy.authorization) return null;
  return { ...copy.authorization.addPieces, pieceDigests: context.plan.pieces.map((piece) => piece.digest) };
}

/** Signs the copy's authorisations unless it has usable ones; journals them. */
export async function presign(context: RunContext, copy: Copy, deadline: bigint): Promise<void> {
  if (authorizationUsable(copy)) return;
  if (!context.grant)
    throw new UploadHalted('APPROVAL_EXPIRED', `No approval to sign ${copy.label}'s authorisation with`);
  const contracts = context.signer.allowlist.contracts;
  const clientDataSetId = BigInt(copy.clientDataSetId);
  const nonce = `0x${randomBytes(32).toString('hex')}` as Hex;
  context.journal.step(context.uploadId, 'presign', 'before', copy.id, { nonce });
  const create = await context.signer.sign(
    context.grant,
    createDataSetPayload(contracts, {
      payer: context.payer,
      provider: copy.provider.address,
      clientDataSetId,
      deadline,
    }),
  );
  const add = await context.signer.sign(
    context.grant,
    addPiecesPayload(contracts, {
      payer: context.payer,
      provider: copy.provider.address,
      clientDataSetId,
      pieceDigests: context.plan.pieces.map((piece) => piece.digest),
      nonce,
      deadline,
    }),
  );
  copy.authorization = {
    addPieces: { nonce, deadline: deadline.toString(), signature: add.signature },
    createDataSet: { deadline: deadline.toString(), signature: create.signature },
  };
  context.journal.putCopy(context.uploadId, copy.toRow());
}
