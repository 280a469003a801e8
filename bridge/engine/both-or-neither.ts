/**
 * Two connections opened at once (a login is several round trips, the same on each side):
 * both, or neither left open. When either fails, the other is closed once it has opened, and
 * the first one's error is thrown (the source's, as if the source were first). A connection
 * left logged in keeps node's event loop alive: a command whose other login failed would
 * print its failure and never exit.
 */
export async function bothOrNeither<A, B>(
  first: Promise<A>,
  second: Promise<B>,
  closeFirst: (a: NoInfer<A>) => Promise<unknown> | unknown,
  closeSecond: (b: NoInfer<B>) => Promise<unknown> | unknown,
): Promise<[A, B]> {
  const [a, b] = await Promise.allSettled([first, second]);
  if (a.status === 'fulfilled' && b.status === 'fulfilled') return [a.value, b.value];
  const quietly = async (close: () => Promise<unknown> | unknown) => {
    try {
      await close();
    } catch {
      // already failing: the login error is the one to report
    }
  };
  if (a.status === 'fulfilled') await quietly(() => closeFirst(a.value));
  if (b.status === 'fulfilled') await quietly(() => closeSecond(b.value));
  throw a.status === 'rejected' ? a.reason : (b as PromiseRejectedResult).reason;
}
