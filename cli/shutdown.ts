// What the process entry point closes before it exits (the operator's database),
// registered by the modules that opened it, so that commands that never open
// one (--help, admin commands) never load the database client either.

const closers: (() => Promise<void>)[] = [];

export function onShutdown(close: () => Promise<void>): void {
  closers.push(close);
}

export async function shutdown(): Promise<void> {
  for (const close of closers.splice(0).reverse()) await close();
}
