export function Logo({ size = 36 }: { size?: number }) {
  return (
    <svg className="logo" width={size} height={size} viewBox="0 0 36 36" aria-hidden="true">
      <rect width="36" height="36" rx="9" fill="#2456d6" />
      <path d="M8 12.5h20v12a1.5 1.5 0 0 1-1.5 1.5h-17A1.5 1.5 0 0 1 8 24.5z" fill="#fff" />
      <path d="M8.5 12.5 18 20l9.5-7.5" fill="none" stroke="#2456d6" strokeWidth="2" strokeLinejoin="round" />
      <path d="M22 6.5h6.5V13" fill="none" stroke="#9fc0ff" strokeWidth="2.2" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}
