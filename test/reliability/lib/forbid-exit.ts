/**
 * Preloaded into children run by `runChild`: `process.exit` throws, so a child can only end
 * by running out of work, which is what "exits on its own" means.
 */
process.exit = ((code?: number) => {
  throw new Error(`process.exit(${code ?? ''}) is forbidden here: the process must exit on its own`);
}) as typeof process.exit;
