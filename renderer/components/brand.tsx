/** Coffer's name and mark, as every window's header shows it. */
export function Brand() {
  return (
    <div className="brand" aria-label="Coffer">
      <span className="brand-mark" aria-hidden="true" />
      Coffer
    </div>
  );
}
