/**
 * What to tell a person when such a module did not load: the network dropped
 * (trying again helps), or the app was updated since the page loaded and the
 * old chunk is gone (reloading helps).
 */
export const PART_NOT_LOADED =
  "part of this page did not load. Check your connection and try again, or reload the page.";

/**
 * A module loaded the first time it is asked for (a dynamic `import()`, so the
 * bundler splits it off the first load), and at hand synchronously once it is:
 * a handler can use it at once when it is there, or wait for it when not.
 * Its methods need no `this`: they can be handed to event props as they are.
 */
export function onDemand<Module>(importModule: () => Promise<Module>) {
  let loaded: Module | undefined;
  let loading: Promise<Module> | undefined;

  /**
   * Starts loading (once) and resolves with the module. A failed load (the
   * network dropped) is forgotten, so the next ask tries again.
   */
  function load(): Promise<Module> {
    loading ??= importModule().then(
      (module) => (loaded = module),
      (error: unknown) => {
        loading = undefined;
        throw error;
      },
    );
    return loading;
  }

  return {
    load,
    /**
     * Starts loading ahead of need (hover, focus). A failure is left to the
     * next `load()`, which tries again and reports it where it is used.
     */
    prefetch(): void {
      load().catch(() => {});
    },
    /** The module, once loaded. */
    get current(): Module | undefined {
      return loaded;
    },
  };
}
