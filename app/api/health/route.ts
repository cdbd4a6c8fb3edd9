import { database } from "@/lib/db/client";
import { pendingMigrations } from "@/lib/db/migrate";

export const dynamic = "force-dynamic";

export async function GET() {
  const { raw, kind } = database();
  try {
    const pending = await pendingMigrations(raw);
    return Response.json({ status: "ok", database: kind, migrations: pending.length ? "pending" : "up-to-date" });
  } catch (error) {
    console.error("health check failed", error);
    return Response.json({ status: "error", database: kind, migrations: "unknown" }, { status: 503 });
  }
}
