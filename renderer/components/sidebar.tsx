import type { ComponentType, SVGProps } from 'react';
import { useUiStore, type View } from '../state/ui-store';

export interface NavItem {
  view: View;
  label: string;
  Icon: ComponentType<SVGProps<SVGSVGElement>>;
}

/** The left navigation: one button per screen, arrow keys move between them. */
export function Sidebar({ items, active }: { items: readonly NavItem[]; active: View }) {
  const setView = useUiStore((state) => state.setView);
  const view = active;
  const onKeyDown = (event: React.KeyboardEvent<HTMLElement>, index: number) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    event.preventDefault();
    const next = items[(index + (event.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length]!;
    setView(next.view);
    document.getElementById(`nav-${next.view}`)?.focus();
  };
  return (
    <nav className="sidebar" aria-label="Main">
      {items.map(({ view: target, label, Icon }, index) => (
        <button
          key={target}
          id={`nav-${target}`}
          type="button"
          className={`nav-item ${view === target ? 'active' : ''}`}
          aria-current={view === target ? 'page' : undefined}
          onClick={() => setView(target)}
          onKeyDown={(event) => onKeyDown(event, index)}
        >
          <Icon />
          <span>{label}</span>
        </button>
      ))}
    </nav>
  );
}
