/** A labelled progress bar (role=progressbar); over 100 % is allowed while new mail keeps arriving: after the first pass the account keeps syncing new mail. */
export function ProgressBar({ value, label, tone = 'run' }: { value: number; label: string; tone?: string }) {
  const shown = Math.max(0, Math.min(100, value));
  return (
    <div className={`progress progress--${tone}`} role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(shown)} aria-label={label}>
      <div className="progress__fill" style={{ width: `${shown}%` }} />
    </div>
  );
}
