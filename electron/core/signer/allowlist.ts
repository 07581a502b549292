/**
 * Which EIP-712 domains the signer may sign for: this network's chain id, and for each payload type
 * the one contract of the network manifest that verifies it. Checked before an approval is even
 * requested and again before signing, so a payload for another chain or contract never reaches the
 * key, however it was built.
 */
import { CofferError } from '../../../shared/api/errors';
import { DOMAIN_NAMES, type Eip712Domain } from '../../../shared/chain/eip712';
import type { Address, NetworkManifest } from '../../../shared/network-manifest';
import type { Contracts, QuotePayload, SignablePayload } from './typed-data';

type PrimaryType = SignablePayload['primaryType'] | QuotePayload['primaryType'];

export class SigningAllowlist {
  readonly #domains: Record<PrimaryType, Eip712Domain>;

  constructor(readonly contracts: Contracts) {
    const domain = (kind: keyof typeof DOMAIN_NAMES, verifyingContract: Address): Eip712Domain => ({
      ...DOMAIN_NAMES[kind],
      chainId: contracts.chainId,
      verifyingContract,
    });
    this.#domains = {
      Permit: domain('token', contracts.token),
      CreateDataSet: domain('dataSetRegistry', contracts.dataSetRegistry),
      AddPieces: domain('dataSetRegistry', contracts.dataSetRegistry),
      Quote: domain('paymentVault', contracts.paymentVault),
    };
  }

  static fromManifest(manifest: NetworkManifest): SigningAllowlist {
    return new SigningAllowlist({
      chainId: manifest.chainId,
      token: manifest.contracts.token as Address,
      paymentVault: manifest.contracts.paymentVault as Address,
      dataSetRegistry: manifest.contracts.dataSetRegistry as Address,
    });
  }

  /** Throws FORBIDDEN naming the mismatch when the payload's domain is not this network's. */
  check(payload: SignablePayload | QuotePayload): void {
    const expected = this.#domains[payload.primaryType];
    if (!expected) throw forbidden(`payload type ${String(payload.primaryType)} is not one Coffer signs`);
    const { domain } = payload;
    if (domain.chainId !== expected.chainId)
      throw forbidden(
        `${payload.primaryType} is for chain ${domain.chainId}, but this network is chain ${expected.chainId}`,
      );
    if (domain.verifyingContract.toLowerCase() !== expected.verifyingContract.toLowerCase())
      throw forbidden(
        `${payload.primaryType} is for contract ${domain.verifyingContract}, not this network's ${expected.verifyingContract}`,
      );
    if (domain.name !== expected.name || domain.version !== expected.version)
      throw forbidden(
        `${payload.primaryType} names domain "${domain.name}" v${domain.version}, expected "${expected.name}" v${expected.version}`,
      );
    if (
      payload.primaryType === 'Permit' &&
      payload.message.spender.toLowerCase() !== this.contracts.paymentVault.toLowerCase()
    )
      throw forbidden(`a Permit may only name the PaymentVault (${this.contracts.paymentVault}) as spender`);
  }

  /** Whether a transaction may go to this address (one of the network's contracts). */
  isContract(address: Address): boolean {
    const { token, paymentVault, dataSetRegistry } = this.contracts;
    return [token, paymentVault, dataSetRegistry].some((a) => a.toLowerCase() === address.toLowerCase());
  }
}

function forbidden(reason: string): CofferError {
  return new CofferError('FORBIDDEN', `Refusing to sign: ${reason}`);
}
