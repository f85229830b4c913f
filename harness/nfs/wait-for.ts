// Races a promise against a time limit without leaving the timer behind (a pending timer keeps
// the test process alive for its full length after the race is over).

/** true if `done` settled within ms, false otherwise. */
export async function settlesWithin(done: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([done.then(() => true as const), expired]);
  } finally {
    clearTimeout(timer);
  }
}
