// Module resolution hooks that make any import of 'electron' fail loudly: used to prove that
// electron/core, workers and shared load in plain Node.
export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'electron' || specifier.startsWith('electron/')) {
    throw new Error(
      `'${specifier}' imported from ${context.parentURL}: this layer must not depend on Electron`,
    );
  }
  return nextResolve(specifier, context);
}
