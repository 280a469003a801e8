/**
 * Whether a message is left out by --since: its internal date is before the day. A date that
 * could not be read (Invalid Date) is not before anything, so such a message is copied: a
 * filter must not lose mail it cannot judge. One test for the plan and the dry run's count.
 */
export function beforeSince(internalDate: Date, since: Date): boolean {
  return internalDate.getTime() < since.getTime();
}
