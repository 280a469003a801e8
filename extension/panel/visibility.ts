/**
 * Whether the panel is fully visible to the user, by IntersectionObserver v2 (trackVisibility):
 * the browser reports isVisible = false when anything of the embedding page covers the panel's
 * frame, or makes it transparent, filtered or transformed. A page that slides a decoy over the
 * panel (clickjacking: the user thinks they click the page, the click lands on "Start") thus
 * finds the panel's actions disabled while its overlay is there.
 *
 * Where the browser has no v2 (Firefox), isVisible is absent: we fall back to plain
 * intersection, and the launcher's own defences (top of the stacking order, confirmations of
 * destructive actions) remain.
 */
import { useEffect, useState } from 'react';

interface V2Entry extends IntersectionObserverEntry {
  readonly isVisible?: boolean;
}

/** trackVisibility needs a delay of at least 100 ms (the browser's rule). */
const V2_OPTIONS = { threshold: [0, 1], trackVisibility: true, delay: 100 } as IntersectionObserverInit;

export function watchVisibility(target: Element, onChange: (visible: boolean) => void): () => void {
  if (typeof IntersectionObserver === 'undefined') {
    onChange(true);
    return () => undefined;
  }
  const io = new IntersectionObserver((entries) => {
    const e = entries[entries.length - 1] as V2Entry | undefined;
    if (!e) return;
    onChange(e.isVisible ?? e.isIntersecting);
  }, V2_OPTIONS);
  io.observe(target);
  return () => io.disconnect();
}

/**
 * true while the element is unobscured, false while covered, null before the browser's first
 * report (the panel is inert then too, but shows no warning for those ~100 ms). Returns a
 * callback ref: the panel renders a different root element once its ticket is claimed, and the
 * observer must follow it.
 */
export function useUnobscured(): [boolean | null, (el: Element | null) => void] {
  const [el, setEl] = useState<Element | null>(null);
  const [visible, setVisible] = useState<boolean | null>(null);
  useEffect(() => {
    if (!el) return undefined;
    return watchVisibility(el, setVisible);
  }, [el]);
  return [visible, setEl];
}
