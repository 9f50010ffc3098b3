/**
 * Returns a function that runs `create` on its first call and hands every caller the same
 * result, also callers that arrive while `create` is still running. A failure is not kept:
 * the next call runs `create` again, so an invocation after a transient start-up error
 * can succeed.
 */
export function initOnce<T>(create: () => T | Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= Promise.resolve()
      .then(create)
      .catch((error: unknown) => {
        pending = undefined;
        throw error;
      });
    return pending;
  };
}
