// DataSetRegistry on a real anvil: data sets created and pieces added by the provider with the
// payer's EIP-712 signatures — happy paths with ids and events, and every way a signature, a
// nonce or a deadline can be wrong.
import { type Hex, parseEventLogs } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addPiecesTypes, createDataSetTypes, domainFor } from '../../shared/chain/eip712';
import { dataSetRegistryAbi } from '../../shared/contracts/abis';
import { devProviderAccount, devUserAccount } from '../chain/dev-accounts';
import {
  randomBytes32,
  revertOf,
  startTestChain,
  type TestActor,
  type TestChain,
} from '../test-support/test-chain';

let chain: TestChain;
let payer: TestActor;
let provider: TestActor;
let otherProvider: TestActor;
let stranger: TestActor;
let nextClientDataSetId = 1n;

beforeAll(async () => {
  chain = await startTestChain();
  payer = chain.as(devUserAccount(0));
  provider = chain.as(devProviderAccount(0));
  otherProvider = chain.as(devProviderAccount(1));
  stranger = chain.as(devUserAccount(1));
});
afterAll(() => chain?.stop());

const registryAddress = () => chain.contracts.dataSetRegistry as Hex;
const registry = () => provider.contracts.dataSetRegistry;

interface DomainChange {
  chainId?: number;
  verifyingContract?: Hex;
}
const domain = (change: DomainChange = {}) =>
  domainFor(
    'dataSetRegistry',
    change.chainId ?? chain.chainId,
    change.verifyingContract ?? registryAddress(),
  );

async function inAnHour(): Promise<bigint> {
  return (await chain.publicClient.getBlock()).timestamp + 3600n;
}

interface CreateRequest {
  clientDataSetId: bigint;
  deadline: bigint;
  signature: Hex;
}

async function signCreate(
  options: { signer?: TestActor; forProvider?: TestActor; deadline?: bigint; domain?: DomainChange } = {},
): Promise<CreateRequest> {
  const clientDataSetId = nextClientDataSetId++;
  const deadline = options.deadline ?? (await inAnHour());
  const signature = await (options.signer ?? payer).account.signTypedData({
    domain: domain(options.domain),
    types: createDataSetTypes,
    primaryType: 'CreateDataSet',
    message: {
      payer: payer.address,
      provider: (options.forProvider ?? provider).address,
      clientDataSetId,
      deadline,
    },
  });
  return { clientDataSetId, deadline, signature };
}

interface AddRequest {
  pieceDigests: Hex[];
  nonce: Hex;
  deadline: bigint;
  signature: Hex;
}

async function signAdd(
  clientDataSetId: bigint,
  options: {
    count?: number;
    signer?: TestActor;
    forProvider?: TestActor;
    nonce?: Hex;
    deadline?: bigint;
    domain?: DomainChange;
  } = {},
): Promise<AddRequest> {
  const pieceDigests = Array.from({ length: options.count ?? 3 }, randomBytes32);
  const nonce = options.nonce ?? randomBytes32();
  const deadline = options.deadline ?? (await inAnHour());
  const signature = await (options.signer ?? payer).account.signTypedData({
    domain: domain(options.domain),
    types: addPiecesTypes,
    primaryType: 'AddPieces',
    message: {
      payer: payer.address,
      provider: (options.forProvider ?? provider).address,
      clientDataSetId,
      pieceDigests,
      nonce,
      deadline,
    },
  });
  return { pieceDigests, nonce, deadline, signature };
}

const create = (request: CreateRequest, by = provider) =>
  by.contracts.dataSetRegistry.write.createDataSet([
    payer.address,
    request.clientDataSetId,
    request.deadline,
    request.signature,
  ]);
const add = (dataSetId: bigint, request: AddRequest, by = provider) =>
  by.contracts.dataSetRegistry.write.addPieces([
    dataSetId,
    request.pieceDigests,
    request.nonce,
    request.deadline,
    request.signature,
  ]);

const createAndAdd = (createRequest: CreateRequest, addRequest: AddRequest) =>
  registry().write.createDataSetAndAddPieces([
    payer.address,
    createRequest.clientDataSetId,
    createRequest.deadline,
    createRequest.signature,
    addRequest.pieceDigests,
    addRequest.nonce,
    addRequest.deadline,
    addRequest.signature,
  ]);

/** Creates a data set for (payer, provider) and returns its id and client id. */
async function createdDataSet(): Promise<{ dataSetId: bigint; clientDataSetId: bigint }> {
  const request = await signCreate();
  const receipt = await chain.mined(create(request));
  const [event] = parseEventLogs({
    abi: dataSetRegistryAbi,
    logs: receipt.logs,
    eventName: 'DataSetCreated',
  });
  return { dataSetId: event!.args.dataSetId, clientDataSetId: request.clientDataSetId };
}

describe('happy paths', () => {
  it('creates a data set (ids start at 1) and adds pieces with consecutive ids, in order', async () => {
    const request = await signCreate();
    const receipt = await chain.mined(create(request));
    const created = parseEventLogs({
      abi: dataSetRegistryAbi,
      logs: receipt.logs,
      eventName: 'DataSetCreated',
    });
    expect(created.map((event) => event.args)).toEqual([
      {
        dataSetId: 1n,
        payer: payer.address,
        provider: provider.address,
        clientDataSetId: request.clientDataSetId,
      },
    ]);
    expect(
      await registry().read.dataSetIdOf([payer.address, provider.address, request.clientDataSetId]),
    ).toBe(1n);
    expect(await registry().read.getDataSet([1n])).toEqual({
      payer: payer.address,
      provider: provider.address,
      clientDataSetId: request.clientDataSetId,
      pieceCount: 0n,
    });

    const first = await signAdd(request.clientDataSetId, { count: 3 });
    const second = await signAdd(request.clientDataSetId, { count: 2 });
    // Unordered nonces: the second signed batch may land first.
    const secondReceipt = await chain.mined(add(1n, second));
    const firstReceipt = await chain.mined(add(1n, first));
    const added = [secondReceipt, firstReceipt].flatMap((r) =>
      parseEventLogs({ abi: dataSetRegistryAbi, logs: r.logs, eventName: 'PiecesAdded' }).map((e) => e.args),
    );
    expect(added).toEqual([
      { dataSetId: 1n, firstPieceId: 1n, pieceDigests: second.pieceDigests },
      { dataSetId: 1n, firstPieceId: 3n, pieceDigests: first.pieceDigests },
    ]);
    expect(await registry().read.pieceCount([1n])).toBe(5n);
    const stored = await Promise.all([1n, 2n, 3n, 4n, 5n].map((id) => registry().read.getPiece([1n, id])));
    expect(stored).toEqual([...second.pieceDigests, ...first.pieceDigests]);
    expect(await registry().read.nonceUsed([payer.address, first.nonce])).toBe(true);
    expect(await registry().read.nonceUsed([payer.address, randomBytes32()])).toBe(false);
    expect(await revertOf(registry().read.getPiece([1n, 6n]))).toEqual({
      name: 'UnknownPiece',
      args: [1n, 6n],
    });
    expect(await revertOf(registry().read.getPiece([1n, 0n]))).toEqual({
      name: 'UnknownPiece',
      args: [1n, 0n],
    });
  });

  it('creates a data set and adds its first pieces in one transaction', async () => {
    const createRequest = await signCreate();
    const addRequest = await signAdd(createRequest.clientDataSetId, { count: 4 });
    const receipt = await chain.mined(createAndAdd(createRequest, addRequest));
    const logs = parseEventLogs({ abi: dataSetRegistryAbi, logs: receipt.logs });
    expect(logs.map((log) => log.eventName)).toEqual(['DataSetCreated', 'PiecesAdded']);
    const dataSetId = await registry().read.dataSetIdOf([
      payer.address,
      provider.address,
      createRequest.clientDataSetId,
    ]);
    expect(logs[1]!.args).toEqual({ dataSetId, firstPieceId: 1n, pieceDigests: addRequest.pieceDigests });
    expect(await registry().read.pieceCount([dataSetId])).toBe(4n);
  });
});

describe('createDataSet rejects', () => {
  it('a signature by someone other than the payer', async () => {
    expect(await revertOf(create(await signCreate({ signer: stranger })))).toEqual({
      name: 'BadSignature',
      args: [],
    });
  });

  it('a signature for another chain id', async () => {
    const request = await signCreate({ domain: { chainId: 1 } });
    expect((await revertOf(create(request))).name).toBe('BadSignature');
  });

  it('a signature for another verifying contract', async () => {
    const request = await signCreate({ domain: { verifyingContract: chain.contracts.paymentVault as Hex } });
    expect((await revertOf(create(request))).name).toBe('BadSignature');
  });

  it('a signature naming another provider than the one submitting', async () => {
    const request = await signCreate({ forProvider: otherProvider });
    expect((await revertOf(create(request))).name).toBe('BadSignature');
  });

  it('a passed deadline', async () => {
    const deadline = (await chain.publicClient.getBlock()).timestamp - 1n;
    expect(await revertOf(create(await signCreate({ deadline })))).toEqual({
      name: 'SignatureExpired',
      args: [deadline],
    });
  });

  it('the same data set twice', async () => {
    const request = await signCreate();
    await chain.mined(create(request));
    const dataSetId = await registry().read.dataSetIdOf([
      payer.address,
      provider.address,
      request.clientDataSetId,
    ]);
    expect(await revertOf(create(request))).toEqual({ name: 'DataSetExists', args: [dataSetId] });
  });
});

describe('addPieces rejects', () => {
  let dataSetId: bigint;
  let clientDataSetId: bigint;
  beforeAll(async () => ({ dataSetId, clientDataSetId } = await createdDataSet()));

  it('a replayed nonce, even for another of the payer’s data sets', async () => {
    const request = await signAdd(clientDataSetId);
    await chain.mined(add(dataSetId, request));
    expect(await revertOf(add(dataSetId, request))).toEqual({
      name: 'NonceAlreadyUsed',
      args: [payer.address, request.nonce],
    });
    const other = await createdDataSet();
    const reuse = await signAdd(other.clientDataSetId, { nonce: request.nonce });
    expect((await revertOf(add(other.dataSetId, reuse))).name).toBe('NonceAlreadyUsed');
  });

  it('a signature by someone other than the payer', async () => {
    const request = await signAdd(clientDataSetId, { signer: stranger });
    expect(await revertOf(add(dataSetId, request))).toEqual({ name: 'BadSignature', args: [] });
  });

  it('a signature for another chain id', async () => {
    const request = await signAdd(clientDataSetId, { domain: { chainId: 1 } });
    expect((await revertOf(add(dataSetId, request))).name).toBe('BadSignature');
  });

  it('a signature for another verifying contract', async () => {
    const request = await signAdd(clientDataSetId, {
      domain: { verifyingContract: chain.contracts.paymentVault as Hex },
    });
    expect((await revertOf(add(dataSetId, request))).name).toBe('BadSignature');
  });

  it('pieces other than the ones signed', async () => {
    const request = await signAdd(clientDataSetId);
    const swapped = { ...request, pieceDigests: [...request.pieceDigests].reverse() };
    expect((await revertOf(add(dataSetId, swapped))).name).toBe('BadSignature');
    // The rejected attempt did not burn the nonce: the genuine request still goes through.
    await chain.mined(add(dataSetId, request));
  });

  it('a signature for another data set of the same payer and provider', async () => {
    const request = await signAdd(clientDataSetId + 1000n);
    expect((await revertOf(add(dataSetId, request))).name).toBe('BadSignature');
  });

  it('a passed deadline', async () => {
    const deadline = (await chain.publicClient.getBlock()).timestamp - 1n;
    expect(await revertOf(add(dataSetId, await signAdd(clientDataSetId, { deadline })))).toEqual({
      name: 'SignatureExpired',
      args: [deadline],
    });
  });

  it('a caller that is not the data set’s provider, even with a valid signature', async () => {
    const request = await signAdd(clientDataSetId);
    expect(await revertOf(add(dataSetId, request, otherProvider))).toEqual({
      name: 'NotDataSetProvider',
      args: [dataSetId, otherProvider.address],
    });
  });

  it('an unknown data set and an empty list of pieces', async () => {
    const request = await signAdd(clientDataSetId);
    expect(await revertOf(add(999n, request))).toEqual({ name: 'UnknownDataSet', args: [999n] });
    expect(await revertOf(add(dataSetId, await signAdd(clientDataSetId, { count: 0 })))).toEqual({
      name: 'NoPieces',
      args: [],
    });
  });

  it('the whole create-and-add when its add part is bad, creating nothing', async () => {
    const createRequest = await signCreate();
    const addRequest = await signAdd(createRequest.clientDataSetId, { signer: stranger });
    const failure = await revertOf(createAndAdd(createRequest, addRequest));
    expect(failure.name).toBe('BadSignature');
    expect(
      await registry().read.dataSetIdOf([payer.address, provider.address, createRequest.clientDataSetId]),
    ).toBe(0n);
  });
});
