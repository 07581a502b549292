/**
 * Settings → Network's custom endpoints as text fields, checked with the network manifest's own
 * schema (`CustomEndpoints`, from shared/network-manifest.ts), so the form refuses what the core
 * and the launcher would refuse, and says so next to the field, in the field's words.
 */
import { CustomEndpoints } from '../../shared/api/app';

export const ENDPOINT_FIELDS = [
  'rpcUrl',
  'chainId',
  'contracts.token',
  'contracts.providerRegistry',
  'contracts.paymentVault',
  'contracts.dataSetRegistry',
  'noteServerUrl',
] as const;
export type EndpointField = (typeof ENDPOINT_FIELDS)[number];
export type EndpointsDraft = Record<EndpointField, string>;

export const ENDPOINT_LABELS: Record<EndpointField, string> = {
  rpcUrl: 'Chain RPC URL',
  chainId: 'Chain id',
  'contracts.token': 'Token (ERC-20 with permit)',
  'contracts.providerRegistry': 'ProviderRegistry',
  'contracts.paymentVault': 'PaymentVault',
  'contracts.dataSetRegistry': 'DataSetRegistry',
  noteServerUrl: 'Note server URL',
};

export function draftOfEndpoints(endpoints: CustomEndpoints | null): EndpointsDraft {
  return {
    rpcUrl: endpoints?.rpcUrl ?? '',
    chainId: endpoints ? String(endpoints.chainId) : '',
    'contracts.token': endpoints?.contracts.token ?? '',
    'contracts.providerRegistry': endpoints?.contracts.providerRegistry ?? '',
    'contracts.paymentVault': endpoints?.contracts.paymentVault ?? '',
    'contracts.dataSetRegistry': endpoints?.contracts.dataSetRegistry ?? '',
    noteServerUrl: endpoints?.noteServerUrl ?? '',
  };
}

const SENTENCES: Record<string, string> = {
  'Invalid URL': 'is not a URL',
  'expected an http(s) URL': 'must start with http:// or https://',
  'expected a 0x-prefixed 20-byte address': 'must be a 0x address of 40 hexadecimal digits',
};

/** The endpoints the draft describes, or what is wrong with each field. */
export function parseEndpoints(
  draft: EndpointsDraft,
): { ok: true; endpoints: CustomEndpoints } | { ok: false; errors: Partial<Record<EndpointField, string>> } {
  const text = (field: EndpointField) => draft[field].trim();
  const chainId = text('chainId');
  const candidate = {
    rpcUrl: text('rpcUrl'),
    // Left as text when it is not a whole number, so the schema names the field.
    chainId: /^\d+$/.test(chainId) ? Number(chainId) : chainId,
    contracts: {
      token: text('contracts.token'),
      providerRegistry: text('contracts.providerRegistry'),
      paymentVault: text('contracts.paymentVault'),
      dataSetRegistry: text('contracts.dataSetRegistry'),
    },
    noteServerUrl: text('noteServerUrl'),
  };
  const parsed = CustomEndpoints.safeParse(candidate);
  if (parsed.success) return { ok: true, endpoints: parsed.data };
  const errors: Partial<Record<EndpointField, string>> = {};
  for (const issue of parsed.error.issues) {
    const field = issue.path.join('.') as EndpointField;
    if (!ENDPOINT_FIELDS.includes(field) || errors[field]) continue;
    const empty = text(field) === '';
    errors[field] =
      `${ENDPOINT_LABELS[field]} ${empty ? 'is needed' : (SENTENCES[issue.message] ?? describe(field, issue.message))}`;
  }
  return { ok: false, errors };
}

function describe(field: EndpointField, message: string): string {
  if (field === 'chainId') return 'must be a whole number above 0';
  return `is not valid (${message})`;
}
