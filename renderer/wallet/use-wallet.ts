/**
 * The wallet's data for every screen, from the core through react-query: the status (kept current
 * by `wallet.status` events, so a lock, an auto-lock or a wallet created in a secure view shows at
 * once), and an account's addresses and balances.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { api } from '../api/client';
import { useUiStore } from '../state/ui-store';

export const walletKeys = {
  status: ['wallet.status'] as const,
  addresses: (account: number) => ['wallet.addresses', account] as const,
  balances: (account: number) => ['wallet.balances', account] as const,
  network: ['network.status'] as const,
};

/** Mount once (the app root): pushes every status event of the core into the query cache. */
export function useStatusEvents(): void {
  const queryClient = useQueryClient();
  useEffect(() => {
    const offWallet = api.on('wallet.status', (status) => {
      queryClient.setQueryData(walletKeys.status, status);
      // Accounts may have changed (added, or a new wallet): their addresses with them.
      void queryClient.invalidateQueries({ queryKey: ['wallet.addresses'] });
    });
    const offNetwork = api.on('network.status', (status) =>
      queryClient.setQueryData(walletKeys.network, status),
    );
    return () => {
      offWallet();
      offNetwork();
    };
  }, [queryClient]);
}

export function useWalletStatus() {
  return useQuery({ queryKey: walletKeys.status, queryFn: () => api.wallet.status({}) });
}

/** The account the wallet screens show: the one picked, if the wallet still has it, else the first. */
export function useSelectedAccount(): number {
  const picked = useUiStore((state) => state.account);
  const accounts = useWalletStatus().data?.accounts ?? [];
  return accounts.some((a) => a.index === picked) ? picked : (accounts[0]?.index ?? 0);
}

export function useAddresses(account: number) {
  return useQuery({
    queryKey: walletKeys.addresses(account),
    queryFn: () => api.wallet.addresses({ account }),
  });
}

export function useBalances(account: number, enabled = true) {
  return useQuery({
    queryKey: walletKeys.balances(account),
    queryFn: () => api.wallet.balances({ account }),
    enabled,
    // Funds can also arrive from outside Coffer; the screens refresh after their own operations.
    refetchInterval: 15_000,
  });
}

export function useNetworkStatus() {
  return useQuery({
    queryKey: walletKeys.network,
    queryFn: () => api.network.status({}),
    refetchInterval: 5_000,
  });
}
