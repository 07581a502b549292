/**
 * Independent checks of what uploads left behind, for the crash harness and the load test: the
 * chain's events (PaymentVault's QuotePaid, DataSetRegistry's PiecesAdded) against the upload
 * journal, and each copy downloaded back from its provider and compared byte for byte with the
 * source file.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parsePieceCid, pieceDigestOf } from '../../../shared/pieces/cid';
import { downloadRoot } from '../download/root-download';
import { ProviderClient } from '../providers/provider-client';
import type { UploadTestbed } from '../test-support/upload-testbed';
import type { UploadJournal } from '../upload/upload-journal';
import type { Violation } from './crash-harness';

type QuotePaid = Awaited<ReturnType<UploadTestbed['chain']['quotesPaid']>>[number];
type PiecesAdded = Awaited<ReturnType<UploadTestbed['chain']['piecesAdded']>>[number];

/** What the chain says, read once per check. */
export interface ChainView {
  quotes: QuotePaid[];
  additions: PiecesAdded[];
}

export async function chainView(bed: UploadTestbed): Promise<ChainView> {
  const [quotes, additions] = await Promise.all([bed.chain.quotesPaid(), bed.chain.piecesAdded()]);
  return { quotes, additions };
}

/** The piece digests of an upload in the journal (root manifest included), lowercase. */
export const pieceDigestsOf = (journal: UploadJournal, uploadId: string): Set<string> =>
  new Set(journal.pieces(uploadId).map((piece) => pieceDigestOf(parsePieceCid(piece.cid)).toLowerCase()));

/**
 * Double payments: a quote paid twice, or one piece paid more than once to one provider. Keys
 * already in `reported` are not reported again (the chain keeps them for later checks too).
 */
export function doublePayments(chain: ChainView, reported: Set<string>): Violation[] {
  const counts = new Map<string, number>();
  for (const q of chain.quotes)
    for (const key of [`quote ${q.quoteDigest}`, `piece ${q.pieceDigest} to ${q.provider}`])
      counts.set(key.toLowerCase(), (counts.get(key.toLowerCase()) ?? 0) + 1);
  return [...counts]
    .filter(([key, n]) => n > 1 && !reported.has(key))
    .map(([key, n]) => {
      reported.add(key);
      return { kind: 'double-payment', detail: `${key} paid ${n} times` };
    });
}

/** Lost: a copy the journal records as committed whose pieces the chain does not hold in its data set. */
export function lostCopies(journal: UploadJournal, uploadId: string, chain: ChainView): Violation[] {
  const digests = pieceDigestsOf(journal, uploadId);
  return journal
    .copies(uploadId)
    .filter((copy) => copy.state === 'committed' || copy.commit?.state === 'confirmed')
    .flatMap((copy) => {
      const onChain = new Set(
        chain.additions
          .filter((a) => copy.dataSetId !== null && a.dataSetId === BigInt(copy.dataSetId))
          .flatMap((a) => a.pieceDigests.map((d) => d.toLowerCase())),
      );
      const missing = [...digests].filter((d) => !onChain.has(d)).length;
      return missing === 0
        ? []
        : [
            {
              kind: 'lost-copy',
              detail: `${uploadId}: the journal says provider ${copy.providerId} committed data set ${copy.dataSetId}, but the chain lacks ${missing} of its ${digests.size} pieces`,
            },
          ];
    });
}

/**
 * Forgotten, once an upload ended: a commit or a payment on chain for its pieces that the journal
 * does not know of, or the same pieces added twice to one data set.
 */
export function forgottenSteps(
  journal: UploadJournal,
  uploadId: string,
  chain: ChainView,
  payer: string,
): Violation[] {
  const digests = pieceDigestsOf(journal, uploadId);
  const root = pieceDigestOf(parsePieceCid(journal.upload(uploadId)!.rootCid)).toLowerCase();
  const committed = new Set(
    journal
      .copies(uploadId)
      .filter((copy) => copy.state === 'committed')
      .map((copy) => copy.dataSetId),
  );
  const violations: Violation[] = [];
  const rootAdds = new Map<string, number>();
  for (const a of chain.additions)
    if (a.pieceDigests.some((d) => d.toLowerCase() === root))
      rootAdds.set(String(a.dataSetId), (rootAdds.get(String(a.dataSetId)) ?? 0) + 1);
  for (const [dataSetId, n] of rootAdds) {
    if (!committed.has(dataSetId))
      violations.push({
        kind: 'forgotten-copy',
        detail: `${uploadId}: the chain holds the upload in data set ${dataSetId}, the journal does not know it`,
      });
    if (n > 1)
      violations.push({
        kind: 'double-commit',
        detail: `${uploadId}: its root was added ${n} times to data set ${dataSetId}`,
      });
  }
  const paidInJournal = new Set(
    journal
      .quotes(uploadId)
      .filter((q) => q.paid)
      .map((q) => q.quoteDigest.toLowerCase()),
  );
  const unknown = chain.quotes.filter(
    (q) =>
      q.payer.toLowerCase() === payer.toLowerCase() &&
      digests.has(q.pieceDigest.toLowerCase()) &&
      !paidInJournal.has(q.quoteDigest.toLowerCase()),
  );
  if (unknown.length > 0)
    violations.push({
      kind: 'forgotten-payment',
      detail: `${uploadId}: ${unknown.length} quotes paid on chain are not marked paid in the journal`,
    });
  return violations;
}

/**
 * Downloads upload `root` from one provider only (every chunk checked against its CID on the way)
 * and compares the file with the source bytes.
 */
export async function copyMismatch(
  provider: { providerId: number; address: `0x${string}`; url: string },
  root: string,
  source: Uint8Array,
): Promise<Violation[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'coffer-verify-'));
  const client = new ProviderClient({ url: provider.url });
  const label = `provider ${provider.providerId}, ${root}`;
  try {
    const { paths } = await downloadRoot({
      root,
      destination: path.join(dir, 'copy'),
      sources: [
        {
          provider: {
            id: provider.providerId,
            address: provider.address,
            url: provider.url,
            endorsed: false,
          },
          client,
        },
      ],
    });
    const got = await readFile(paths[0]!);
    return paths.length === 1 && got.equals(source)
      ? []
      : [{ kind: 'bad-chunk', detail: `${label}: the downloaded bytes differ from the source` }];
  } catch (error) {
    return [{ kind: 'bad-chunk', detail: `${label}: ${(error as Error).message}` }];
  } finally {
    await client.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Every copy of a result downloaded from its own provider and compared with the source. */
export async function resultMismatches(
  bed: UploadTestbed,
  result: { root: string; copies: { providerId: number }[] },
  source: Uint8Array,
): Promise<Violation[]> {
  const checks = result.copies.map((copy) => {
    const provider = bed.devnet.providers.find((p) => p.providerId === copy.providerId);
    return provider
      ? copyMismatch(provider, result.root, source)
      : Promise.resolve([{ kind: 'bad-chunk', detail: `no devnet provider ${copy.providerId}` }]);
  });
  return (await Promise.all(checks)).flat();
}
