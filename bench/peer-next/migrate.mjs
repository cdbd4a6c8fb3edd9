// Creates Better Auth's tables before `next start` (the bare peer does it in its server).
import { getMigrations } from "better-auth/db/migration";
import { auth } from "./auth.mjs";

const { runMigrations } = await getMigrations(auth.options);
await runMigrations();
process.exit(0);
