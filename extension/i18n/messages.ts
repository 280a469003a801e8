/** The shape every UI dictionary has: English's keys, each a string (apart from index.ts, so that a dictionary can name its type without importing every dictionary). */
import type { en } from './en';

export type MessageKey = keyof typeof en;
export type Messages = { readonly [K in MessageKey]: string };
