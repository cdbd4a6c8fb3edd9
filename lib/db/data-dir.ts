import fs from "node:fs";
import path from "node:path";

/**
 * Where the embedded database lives: PGLITE_DATA_DIR ("memory://" for a
 * throwaway in-memory database) or ./.data/pglite, created if missing.
 */
export function resolveDataDir(): string {
  const configured = process.env.PGLITE_DATA_DIR;
  if (configured?.startsWith("memory://")) return configured;
  const dir = path.resolve(/*turbopackIgnore: true*/ configured ?? path.join(process.cwd(), ".data", "pglite"));
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * PGlite is single-process: a second process opening the same directory would
 * corrupt it. The first process to open it writes its pid beside it; another
 * live process is refused with the reason.
 */
export function lockDataDir(dir: string): () => void {
  if (dir.startsWith("memory://")) return () => undefined;
  const lockFile = `${dir}.pid`;
  try {
    fs.writeFileSync(lockFile, String(process.pid), { flag: "wx" });
  } catch {
    const holder = Number(fs.readFileSync(lockFile, "utf8"));
    if (holder !== process.pid && isAlive(holder)) {
      throw new Error(
        `The embedded database in ${dir} is in use by process ${holder} (is \`npm start\` running?). ` +
          "Stop it first, or set DATABASE_URL to use PostgreSQL from several processes.",
      );
    }
    fs.writeFileSync(lockFile, String(process.pid));
  }
  const release = () => {
    try {
      if (Number(fs.readFileSync(lockFile, "utf8")) === process.pid) fs.unlinkSync(lockFile);
    } catch {
      // already gone
    }
  };
  process.once("exit", release);
  return release;
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
