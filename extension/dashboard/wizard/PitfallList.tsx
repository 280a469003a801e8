import { useLocale, useText } from '../../i18n/locale-context';
import { aside } from '../../i18n/punctuation';

interface PitfallLike {
  id: string;
  what: { en: string; zh: string };
  where?: { en: string; zh: string };
  why: { en: string; zh: string };
  audience: 'user' | 'admin';
  confidence: string;
}

/** A provider's checklist items: what to change, where, and why. */
export function PitfallList({ pitfalls, title }: { pitfalls: readonly PitfallLike[]; title?: string }) {
  const { t, locale } = useLocale();
  const text = useText();
  return (
    <div className="pitfalls">
      {title && <p className="pitfalls__title">{title}</p>}
      <ul>
        {pitfalls.map((p) => (
          <li key={p.id}>
            <strong>{text(p.what)}</strong>
            {p.where && <span className="pitfalls__where"> — {text(p.where)}</span>}
            <span className="pitfalls__why"> {text(p.why)}</span>
            <span className="pitfalls__who">{aside(locale, p.audience === 'admin' ? t('audienceAdmin') : t('audienceUser'))}</span>
            {p.confidence === 'unverified' && <span className="pitfalls__who"> [{t('unverified')}]</span>}
          </li>
        ))}
      </ul>
    </div>
  );
}
