// The bench's peer: Better Auth with its passkey plugin, its defaults except
// rate limiting (off, as Gatehouse's never trips on the bench's successful
// logins), on the same PostgreSQL as Gatehouse. Started by bench/run.ts --peer.
import http from "node:http";
import { passkey } from "@better-auth/passkey";
import { betterAuth } from "better-auth";
import { getMigrations } from "better-auth/db/migration";
import { toNodeHandler } from "better-auth/node";
import pg from "pg";

const port = Number(process.env.PORT ?? 3601);
const origin = `http://localhost:${port}`;

const auth = betterAuth({
  baseURL: origin,
  secret: "bench-peer-secret-0123456789abcdef0123456789abcdef",
  database: new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 }),
  emailAndPassword: { enabled: true },
  rateLimit: { enabled: false },
  telemetry: { enabled: false },
  plugins: [passkey({ rpID: "localhost", rpName: "Bench peer", origin })],
});

const { runMigrations } = await getMigrations(auth.options);
await runMigrations();

const handler = toNodeHandler(auth);
const server = http.createServer((req, res) => {
  if (req.url === "/health") return void res.end("ok");
  return handler(req, res);
});
server.listen(port, () => console.log(`[peer] Better Auth listening on ${origin}`));
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(0));
