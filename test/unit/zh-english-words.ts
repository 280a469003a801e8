/**
 * What a person reads in zh-CN mode that is still English: ASCII words of three or more letters,
 * once addresses, URLs and schemes, host and file names are taken out, except error codes and
 * acronyms (all capitals) and product and brand names. Shared by the zh-CN rendering tests.
 */

/** Product, brand, provider and mail-client names, written the same in Chinese text. */
const ALLOWED = new Set(['mailmover', 'Gmail', 'NetEase', 'Exmail', 'WeChat', 'Outlook', 'Windows', 'Foxmail', 'iPhone', 'iPad', 'Android', 'Microsoft', 'Google', 'Workspace']);

export function englishWords(text: string): string[] {
  const stripped = text
    .replace(/“(?:npm|mailmover-bridge) [^”]*”/g, ' ') // a command to type in the terminal, quoted as such (“npm run bridge -- pair”)
    .replace(/\bmailmover-bridge\b/g, ' ') // the bridge program's name
    .replace(/[^\s@]+@[^\s@]+/g, ' ') // addresses
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/\S*/gi, ' ') // URLs and schemes (imaps://)
    .replace(/\b[\w-]+(\.[\w-]+)+\b/g, ' '); // host names, file names
  return (stripped.match(/[A-Za-z][A-Za-z0-9_]*/g) ?? []).filter((w) => /[A-Za-z]{3,}/.test(w) && !/^[A-Z0-9_]+$/.test(w) && !ALLOWED.has(w));
}

/** Every text (each text node apart, as the eye separates them), title, label and placeholder the person can see in the rendered tree. */
export function visibleText(root: HTMLElement): string {
  const walker = root.ownerDocument.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const texts: string[] = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) texts.push(n.textContent ?? '');
  const titles = Array.from(root.querySelectorAll('[title]'), (e) => e.getAttribute('title') ?? '');
  const labels = Array.from(root.querySelectorAll('[aria-label],[placeholder]'), (e) => `${e.getAttribute('aria-label') ?? ''} ${e.getAttribute('placeholder') ?? ''}`);
  return [...texts, ...titles, ...labels].join('\n');
}
