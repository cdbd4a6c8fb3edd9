// `npm run seed`: the demo orgs Acme and Globex, into an empty database only.
// PostgreSQL is treated as a real deployment and needs --allow-postgres.
import { database } from "../lib/db/client";
import { migrate } from "../lib/db/migrate";
import { env } from "../lib/env";
import { DEMO_PASSWORD, seedDemoData } from "../lib/orgs/demo-data";

async function main(): Promise<number> {
  if (env().DATABASE_URL && !process.argv.includes("--allow-postgres")) {
    console.error(
      "Refusing to seed demo data into PostgreSQL (DATABASE_URL is set). Re-run with `npm run seed -- --allow-postgres` if this database is a scratch one.",
    );
    return 1;
  }
  const { raw, kind } = database();
  await migrate(raw);
  const outcome = await seedDemoData();
  if (!outcome.seeded) {
    console.log(`Nothing seeded: ${outcome.reason}.`);
    return 0;
  }
  console.log(`Seeded the demo orgs into ${kind}: ${outcome.users.join(", ")} (password: ${DEMO_PASSWORD}).`);
  return 0;
}

main()
  .then(async (code) => {
    await database().close();
    process.exit(code);
  })
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
