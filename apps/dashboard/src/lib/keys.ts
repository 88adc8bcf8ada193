// Single-letter shortcuts must not fire while the moderator types in a field.
export function isTyping(e: KeyboardEvent): boolean {
  const t = e.target as HTMLElement | null;
  if (!t || !t.tagName) return false;
  return t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName);
}

/** A plain key press (no Ctrl/Alt/Meta), outside text fields. */
export function isShortcut(e: KeyboardEvent): boolean {
  return !e.ctrlKey && !e.altKey && !e.metaKey && !isTyping(e);
}
