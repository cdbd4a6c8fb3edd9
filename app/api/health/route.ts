import { databaseHealth, databaseKind } from "@/lib/db/health";

export const dynamic = "force-dynamic";

export async function GET() {
  try {
    return Response.json({ status: "ok", ...(await databaseHealth()) });
  } catch (error) {
    console.error("health check failed", error);
    return Response.json({ status: "error", database: databaseKind(), migrations: "unknown" }, { status: 503 });
  }
}
