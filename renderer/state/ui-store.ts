/**
 * UI state that is not data from the core: which view is open and the theme. Data from main goes
 * through @tanstack/react-query; this store never holds anything the core owns.
 */
import { create } from 'zustand';
import { persist } from 'zustand/middleware';

export const VIEWS = ['upload', 'wallet', 'history', 'providers', 'settings'] as const;
export type View = (typeof VIEWS)[number];
export type ThemePreference = 'system' | 'light' | 'dark';

interface UiState {
  view: View;
  theme: ThemePreference;
  setView(view: View): void;
  setTheme(theme: ThemePreference): void;
}

export const useUiStore = create<UiState>()(
  persist(
    (set) => ({
      view: 'upload',
      theme: 'system',
      setView: (view) => set({ view }),
      setTheme: (theme) => set({ theme }),
    }),
    { name: 'coffer.ui', partialize: (state) => ({ theme: state.theme }) },
  ),
);
