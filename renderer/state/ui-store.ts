/**
 * UI state that is not data from the core: which view is open, the theme, the account the wallet
 * screens show, whether the sync should keep watching for new notes, and whether the user is
 * still in onboarding. Data from main goes through
 * @tanstack/react-query; this store never holds anything the core owns.
 */
import { create } from 'zustand';
import { persist } from 'zustand/middleware';

export const VIEWS = ['upload', 'wallet', 'history', 'providers', 'settings'] as const;
export type View = (typeof VIEWS)[number];
export type ThemePreference = 'system' | 'light' | 'dark';

interface UiState {
  view: View;
  theme: ThemePreference;
  account: number;
  /** Start the wallet sync in watch mode (keep watching for new notes once caught up). */
  syncWatch: boolean;
  /**
   * True from "create / import" until the user leaves the welcome steps, so the onboarding screen
   * stays up after the wallet appears (to fund it) instead of jumping straight to the app.
   */
  onboarding: boolean;
  setView(view: View): void;
  setTheme(theme: ThemePreference): void;
  setAccount(account: number): void;
  setSyncWatch(syncWatch: boolean): void;
  setOnboarding(onboarding: boolean): void;
}

export const useUiStore = create<UiState>()(
  persist(
    (set) => ({
      view: 'upload',
      theme: 'system',
      account: 0,
      syncWatch: false,
      onboarding: false,
      setView: (view) => set({ view }),
      setTheme: (theme) => set({ theme }),
      setAccount: (account) => set({ account }),
      setSyncWatch: (syncWatch) => set({ syncWatch }),
      setOnboarding: (onboarding) => set({ onboarding }),
    }),
    {
      name: 'coffer.ui',
      partialize: (state) => ({ theme: state.theme, account: state.account, syncWatch: state.syncWatch }),
    },
  ),
);
