// The committed ABIs and bytecode must equal a fresh compile of the Solidity sources, so a .sol
// edit without `npm run contracts:compile` fails here rather than deploying stale code.
import { describe, expect, it } from 'vitest';
import * as abis from '../../shared/contracts/abis';
import { ABIS_FILE, CONTRACTS, compileContracts, staleOutputs } from './compile';

describe('contract compilation', () => {
  it('reproduces the committed ABIs and bytecode exactly', async () => {
    const outputs = await compileContracts();
    expect([...outputs.keys()].sort()).toEqual(
      [ABIS_FILE, ...CONTRACTS.map(({ name }) => `devnet/contracts/artifacts/${name}.json`)].sort(),
    );
    expect(await staleOutputs(outputs)).toEqual([]);
    for (const { name } of CONTRACTS) {
      const artifact = JSON.parse(outputs.get(`devnet/contracts/artifacts/${name}.json`)!) as {
        bytecode: string;
      };
      expect(artifact.bytecode, name).toMatch(/^0x(?:[0-9a-f]{2})+$/);
    }
    // The ABI module exports exactly one ABI per contract.
    expect(Object.keys(abis).sort()).toEqual(CONTRACTS.map(({ abiExport }) => abiExport).sort());
  });
});
