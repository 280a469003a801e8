/** Types of bundle-ascii.mjs (plain JavaScript: it runs before anything can compile TypeScript). */
export function asciiOnly(text: string): string;
