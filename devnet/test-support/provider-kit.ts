/**
 * For provider tests: storage-provider nodes on a test chain, each with a ProviderClient, and
 * payers that deposit, pay quotes and sign AddPieces / CreateDataSet the way the app will.
 */
import { randomBytes } from 'node:crypto';
import { type Hex, parseUnits } from 'viem';
import {
  ProviderClient,
  ProviderError,
  type ProviderQuote,
} from '../../electron/core/providers/provider-client';
import { addPiecesTypes, createDataSetTypes, domainFor } from '../../shared/chain/eip712';
import { cidOf, type PieceCodec, pieceDigestOf } from '../../shared/pieces/cid';
import { type AddPiecesAuthorization, addPiecesAuthorization } from '../../shared/provider/wire';
import { devProviderAccount, devUserAccount } from '../chain/dev-accounts';
import { type ProviderOptions, type RunningProvider, startProvider } from '../provider/start-provider';
import { randomBytes32, type TestActor, type TestChain } from './test-chain';

export interface TestPiece {
  cid: string;
  size: number;
  bytes: Uint8Array;
  digest: Hex;
}

export function randomPiece(size: number, codec: PieceCodec = 'raw'): TestPiece {
  const bytes = new Uint8Array(randomBytes(size));
  const cid = cidOf(bytes, codec);
  return { cid: cid.toString(), size, bytes, digest: pieceDigestOf(cid) };
}

export const refOf = ({ cid, size }: TestPiece) => ({ cid, size });

export interface TestProvider extends RunningProvider {
  client: ProviderClient;
  slot: number;
}

/** A provider node on `chain` for dev provider `slot`, polling fast; stop it with `.stop()`. */
export async function startTestProvider(
  chain: TestChain,
  slot: number,
  options: Partial<ProviderOptions> = {},
): Promise<TestProvider> {
  const provider = await startProvider({
    network: chain.network,
    contracts: chain.contracts,
    privateKey: devProviderAccount(slot).privateKey,
    pollIntervalMs: 50,
    ...options,
  });
  const client = new ProviderClient({ url: provider.url, timeoutMs: 10_000 });
  return {
    ...provider,
    client,
    slot,
    stop: async () => {
      await client.close();
      await provider.stop();
    },
  };
}

export class TestPayer {
  readonly actor: TestActor;
  constructor(
    private readonly chain: TestChain,
    slot: number,
  ) {
    this.actor = chain.as(devUserAccount(slot));
  }

  get address(): Hex {
    return this.actor.address;
  }

  async deposit(amount = parseUnits('1000', 18)): Promise<void> {
    const vault = this.chain.contracts.paymentVault as Hex;
    await this.chain.mined(this.actor.contracts.token.write.approve([vault, amount]));
    await this.chain.mined(this.actor.contracts.paymentVault.write.deposit([amount]));
  }

  /** Pays these quotes in one payForQuotes transaction and waits for it. */
  pay(quotes: readonly ProviderQuote[]) {
    return this.chain.mined(
      this.actor.contracts.paymentVault.write.payForQuotes([
        quotes.map((entry) => entry.quote),
        quotes.map((entry) => entry.signature),
      ]),
    );
  }

  async signAddPieces(
    provider: Hex,
    clientDataSetId: bigint,
    pieceDigests: Hex[],
    options: { deadline?: bigint; signer?: TestActor; chainId?: number } = {},
  ): Promise<AddPiecesAuthorization> {
    const message = {
      payer: this.address,
      provider,
      clientDataSetId,
      pieceDigests,
      nonce: randomBytes32(),
      deadline: options.deadline ?? BigInt(Math.floor(Date.now() / 1000) + 3600),
    };
    const signature = await (options.signer ?? this.actor).account.signTypedData({
      domain: domainFor(
        'dataSetRegistry',
        options.chainId ?? this.chain.chainId,
        this.chain.contracts.dataSetRegistry as Hex,
      ),
      types: addPiecesTypes,
      primaryType: 'AddPieces',
      message,
    });
    return addPiecesAuthorization(message, signature);
  }

  async signCreateDataSet(
    provider: Hex,
    clientDataSetId: bigint,
  ): Promise<{ deadline: string; signature: Hex }> {
    const deadline = BigInt(Math.floor(Date.now() / 1000) + 3600);
    const signature = await this.actor.account.signTypedData({
      domain: domainFor('dataSetRegistry', this.chain.chainId, this.chain.contracts.dataSetRegistry as Hex),
      types: createDataSetTypes,
      primaryType: 'CreateDataSet',
      message: { payer: this.address, provider, clientDataSetId, deadline },
    });
    return { deadline: deadline.toString(), signature };
  }
}

/** Reads one sample of a Prometheus text exposition, e.g. `coffer_provider_cache_bytes`. */
export function promValue(text: string, sample: string): number | undefined {
  const line = text.split('\n').find((entry) => entry.startsWith(`${sample} `));
  return line === undefined ? undefined : Number(line.slice(sample.length + 1));
}

/** All of a readable's bytes. */
export async function bytesOf(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The parsed body, when it is JSON (errors: `{ error: { code, message, details } }`). */
  json: {
    error?: { code: string; message: string; details?: Record<string, unknown> };
    [key: string]: unknown;
  };
}

/**
 * A request as a misbehaving client would send it (node:http, no client-side checks): a body
 * given as chunks is sent chunked, without Content-Length, unless `headers` set one.
 */
export async function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: Uint8Array | Uint8Array[] } = {},
): Promise<RawResponse> {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: RawResponse['json'] = {};
        try {
          json = JSON.parse(text) as RawResponse['json'];
        } catch {
          // Not JSON: leave it empty.
        }
        resolve({ status: res.statusCode!, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    const body = options.body;
    if (Array.isArray(body)) for (const chunk of body) req.write(chunk);
    else if (body) req.write(body);
    req.end();
  });
}

/** The ProviderError a call to a provider fails with; throws if it succeeds instead. */
export async function refusal(call: Promise<unknown>): Promise<ProviderError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof ProviderError) return error;
    throw error;
  }
  throw new Error('expected the provider to refuse, but it accepted');
}
