import type { ReactNode } from 'react';

/** A screen's title and one-line description, with what the screen offers beside them. */
export function ViewHeader({
  title,
  subtitle,
  children,
}: {
  title: string;
  subtitle: string;
  children?: ReactNode;
}) {
  return (
    <header className="view-header">
      <div>
        <h1 className="view-title">{title}</h1>
        <p className="view-subtitle">{subtitle}</p>
      </div>
      {children}
    </header>
  );
}
