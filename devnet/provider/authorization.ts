/**
 * Checks a payer's presigned AddPieces for this provider, the one signature that authorises both
 * a provider-to-provider pull and the commit: recovered signer = payer, signed for this provider,
 * this chain and this DataSetRegistry, deadline not passed, and every piece asked for among the
 * signed digests. Each failure is a 403 that says which check failed.
 */
import { isAddressEqual, recoverTypedDataAddress } from 'viem';
import { addPiecesTypes, domainFor } from '../../shared/chain/eip712';
import type { PieceDigest } from '../../shared/pieces/cid';
import type { AddPiecesAuthorization } from '../../shared/provider/wire';
import { HttpError } from './provider-http';

export interface AuthorizationContext {
  chainId: number;
  dataSetRegistry: `0x${string}`;
  provider: `0x${string}`;
}

export async function checkAddPieces(
  context: AuthorizationContext,
  payer: `0x${string}`,
  clientDataSetId: string,
  authorization: AddPiecesAuthorization,
  wanted: readonly PieceDigest[] = authorization.pieceDigests as PieceDigest[],
): Promise<void> {
  const deadline = BigInt(authorization.deadline);
  let signer: `0x${string}`;
  try {
    signer = await recoverTypedDataAddress({
      domain: domainFor('dataSetRegistry', context.chainId, context.dataSetRegistry),
      types: addPiecesTypes,
      primaryType: 'AddPieces',
      message: {
        payer,
        provider: context.provider,
        clientDataSetId: BigInt(clientDataSetId),
        pieceDigests: authorization.pieceDigests as `0x${string}`[],
        nonce: authorization.nonce as `0x${string}`,
        deadline,
      },
      signature: authorization.signature as `0x${string}`,
    });
  } catch (error) {
    throw new HttpError(
      403,
      'BAD_AUTHORIZATION',
      `the AddPieces signature is malformed: ${(error as Error).message}`,
    );
  }
  if (!isAddressEqual(signer, payer))
    throw new HttpError(
      403,
      'BAD_AUTHORIZATION',
      `the AddPieces signature is not payer ${payer}'s for this provider (${context.provider}), ` +
        `client data set ${clientDataSetId}, these pieces and nonce, on chain ${context.chainId} ` +
        `(DataSetRegistry ${context.dataSetRegistry})`,
    );
  const now = BigInt(Math.floor(Date.now() / 1000));
  if (deadline < now)
    throw new HttpError(
      403,
      'AUTHORIZATION_EXPIRED',
      `the AddPieces authorisation expired at ${new Date(Number(deadline) * 1000).toISOString()}`,
    );
  const signed = new Set(authorization.pieceDigests.map((digest) => digest.toLowerCase()));
  const missing = wanted.filter((digest) => !signed.has(digest.toLowerCase()));
  if (missing.length > 0)
    throw new HttpError(
      403,
      'PIECES_NOT_COVERED',
      `the AddPieces authorisation does not cover ${missing.length} of the pieces asked for: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`,
      { pieceDigests: missing },
    );
}
