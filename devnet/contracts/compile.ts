/**
 * Compiles the devnet's Solidity contracts offline with the pinned npm `solc` and fixed settings,
 * and renders the two committed outputs: the ABIs for viem (`shared/contracts/abis.ts`, `as const`)
 * and each contract's creation bytecode (`devnet/contracts/artifacts/<Name>.json`). Nothing
 * compiles at run time: the devnet deploys the committed bytecode, and a test proves it equals a
 * fresh compile of the sources.
 *
 * `npm run contracts:compile` rewrites the outputs; `-- --check` only reports whether they are stale.
 */
import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import prettier from 'prettier';
import solc from 'solc';

const require = createRequire(import.meta.url);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The contracts, in deployment order, and the name of each one's ABI export. */
export const CONTRACTS = [
  { name: 'TestUSD', abiExport: 'testUsdAbi' },
  { name: 'ProviderRegistry', abiExport: 'providerRegistryAbi' },
  { name: 'PaymentVault', abiExport: 'paymentVaultAbi' },
  { name: 'DataSetRegistry', abiExport: 'dataSetRegistryAbi' },
] as const;
export type ContractName = (typeof CONTRACTS)[number]['name'];

const SOLC_VERSION = '0.8.30';
// Fixed so that the same sources always give the same bytecode. No metadata hash: comments and
// whitespace in a .sol file do not change the deployed code.
const SETTINGS = {
  optimizer: { enabled: true, runs: 200 },
  evmVersion: 'cancun',
  metadata: { bytecodeHash: 'none' },
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
} as const;

export const ABIS_FILE = 'shared/contracts/abis.ts';
export const ARTIFACTS_DIR = 'devnet/contracts/artifacts';

/** Every committed output file (repo-relative path) and the text it must hold. */
export type CompiledOutputs = Map<string, string>;

interface SolcOutput {
  errors?: { severity: 'error' | 'warning' | 'info'; formattedMessage: string }[];
  contracts: Record<string, Record<string, { abi: unknown[]; evm: { bytecode: { object: string } } }>>;
}

const sourceKey = (name: string) => `devnet/contracts/${name}.sol`;

/** Resolves `@openzeppelin/...` (and any other package import) from node_modules. */
function findImport(importPath: string): { contents: string } | { error: string } {
  const [scope, pkg, ...rest] = importPath.split('/');
  try {
    const packageDir = path.dirname(require.resolve(`${scope}/${pkg}/package.json`));
    return { contents: readFileSync(path.join(packageDir, ...rest), 'utf8') };
  } catch (error) {
    return { error: `cannot resolve import ${importPath}: ${(error as Error).message}` };
  }
}

export async function compileContracts(): Promise<CompiledOutputs> {
  const compilerVersion: string = solc.version();
  if (!compilerVersion.startsWith(`${SOLC_VERSION}+`))
    throw new Error(`Expected solc ${SOLC_VERSION}, found ${compilerVersion}: reinstall with npm ci.`);
  const sources: Record<string, { content: string }> = {};
  for (const { name } of CONTRACTS)
    sources[sourceKey(name)] = { content: await readFile(path.join(repoRoot, sourceKey(name)), 'utf8') };
  const input = { language: 'Solidity', sources, settings: SETTINGS };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImport })) as SolcOutput;
  // Warnings fail the build too: the contracts are small enough to keep clean.
  const problems = (output.errors ?? []).filter((entry) => entry.severity !== 'info');
  if (problems.length > 0)
    throw new Error(`solc reported:\n${problems.map((entry) => entry.formattedMessage).join('\n')}`);

  const outputs: CompiledOutputs = new Map();
  const abiDeclarations: string[] = [];
  for (const { name, abiExport } of CONTRACTS) {
    const compiled = output.contracts[sourceKey(name)]?.[name];
    if (!compiled) throw new Error(`solc produced no output for ${name}`);
    abiDeclarations.push(`export const ${abiExport} = ${JSON.stringify(compiled.abi)} as const;`);
    const artifact = {
      contractName: name,
      source: sourceKey(name),
      compiler: compilerVersion,
      bytecode: `0x${compiled.evm.bytecode.object}`,
    };
    outputs.set(`${ARTIFACTS_DIR}/${name}.json`, `${JSON.stringify(artifact, null, 2)}\n`);
  }
  const abis = [
    '// Generated — do not edit; run `npm run contracts:compile`.',
    '// ABIs of the devnet contracts (devnet/contracts/*.sol), typed for viem.',
    '',
    ...abiDeclarations,
  ].join('\n');
  const prettierOptions = await prettier.resolveConfig(path.join(repoRoot, ABIS_FILE));
  outputs.set(ABIS_FILE, await prettier.format(abis, { ...prettierOptions, filepath: ABIS_FILE }));
  return outputs;
}

/** The outputs whose committed text differs from `outputs` (missing files count as different). */
export async function staleOutputs(outputs: CompiledOutputs): Promise<string[]> {
  const stale: string[] = [];
  for (const [file, text] of outputs) {
    const committed = await readFile(path.join(repoRoot, file), 'utf8').catch(() => null);
    if (committed !== text) stale.push(file);
  }
  return stale;
}

async function main(): Promise<void> {
  const outputs = await compileContracts();
  const stale = await staleOutputs(outputs);
  if (process.argv.includes('--check')) {
    if (stale.length > 0) {
      console.error(`Stale contract outputs: ${stale.join(', ')}. Run npm run contracts:compile.`);
      process.exit(1);
    }
    console.log('Contract outputs are up to date.');
    return;
  }
  await mkdir(path.join(repoRoot, ARTIFACTS_DIR), { recursive: true });
  await mkdir(path.join(repoRoot, path.dirname(ABIS_FILE)), { recursive: true });
  for (const file of stale) await writeFile(path.join(repoRoot, file), outputs.get(file)!);
  console.log(stale.length > 0 ? `Wrote ${stale.join(', ')}` : 'Contract outputs were already up to date.');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  });
}
