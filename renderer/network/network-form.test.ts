import { describe, expect, it } from 'vitest';
import { draftOfEndpoints, parseEndpoints, type EndpointsDraft } from './network-form';

const good: EndpointsDraft = {
  rpcUrl: ' http://127.0.0.1:8545 ',
  chainId: '31337',
  'contracts.token': '0x5FbDB2315678afecb367f032d93F642f64180aa3',
  'contracts.providerRegistry': '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
  'contracts.paymentVault': '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0',
  'contracts.dataSetRegistry': '0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9',
  noteServerUrl: 'https://notes.example.org',
};

describe('the custom network form', () => {
  it('accepts endpoints the manifest schema accepts, trimmed, and round-trips them', () => {
    const parsed = parseEndpoints(good);
    expect(parsed).toEqual({
      ok: true,
      endpoints: {
        rpcUrl: 'http://127.0.0.1:8545',
        chainId: 31337,
        contracts: {
          token: good['contracts.token'],
          providerRegistry: good['contracts.providerRegistry'],
          paymentVault: good['contracts.paymentVault'],
          dataSetRegistry: good['contracts.dataSetRegistry'],
        },
        noteServerUrl: 'https://notes.example.org',
      },
    });
    if (parsed.ok)
      expect(draftOfEndpoints(parsed.endpoints)).toEqual({ ...good, rpcUrl: 'http://127.0.0.1:8545' });
  });

  it('names each wrong field in its own words', () => {
    const parsed = parseEndpoints({
      ...good,
      rpcUrl: 'ftp://example.org',
      chainId: '-3',
      'contracts.paymentVault': '0x1234',
      noteServerUrl: 'not a url',
      'contracts.token': '',
    });
    expect(parsed).toEqual({
      ok: false,
      errors: {
        rpcUrl: 'Chain RPC URL must start with http:// or https://',
        chainId: 'Chain id must be a whole number above 0',
        'contracts.token': 'Token (ERC-20 with permit) is needed',
        'contracts.paymentVault': 'PaymentVault must be a 0x address of 40 hexadecimal digits',
        noteServerUrl: 'Note server URL is not a URL',
      },
    });
    expect(parseEndpoints({ ...good, chainId: '0' })).toMatchObject({
      ok: false,
      errors: { chainId: expect.any(String) },
    });
  });
});
