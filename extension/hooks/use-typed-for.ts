import { useRef } from 'react';
import type { TypedForServer } from '../../shared/protocol/requests';

/**
 * The server a password field is typed for: the one the form showed at the first keystroke, kept
 * while the field holds text. The forms render from the mirror, which follows changes made in
 * other tabs or by other admins; the server shown when the request goes out may no longer be the
 * one the password was typed for, and the bridge must be told the latter (it refuses with
 * SERVER_CHANGED and stores nothing when that is no longer the server it would use).
 */
export function useTypedFor(): { typed(value: string, shown: TypedForServer | null): void; server(): TypedForServer | null; clear(): void } {
  const ref = useRef<TypedForServer | null>(null);
  return {
    typed(value, shown) {
      if (!value) ref.current = null;
      else if (!ref.current) ref.current = shown;
    },
    server: () => ref.current,
    clear() {
      ref.current = null;
    },
  };
}
