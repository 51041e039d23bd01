/**
 * A module loaded the first time it is asked for (a dynamic `import()`, so the
 * bundler splits it off the first load), and at hand synchronously once it is:
 * a handler can use it at once when it is there, or wait for it when not.
 */
export function onDemand<Module>(importModule: () => Promise<Module>) {
  let loaded: Module | undefined;
  let loading: Promise<Module> | undefined;
  return {
    /** Starts loading (once) and resolves with the module. */
    load(): Promise<Module> {
      loading ??= importModule().then((module) => (loaded = module));
      return loading;
    },
    /** The module, once loaded. */
    get current(): Module | undefined {
      return loaded;
    },
  };
}
