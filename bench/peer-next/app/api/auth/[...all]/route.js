// Better Auth's documented Next.js mount: every /api/auth/* request goes to its handler.
import { toNextJsHandler } from "better-auth/next-js";
import { auth } from "../../../../auth.mjs";

export const { GET, POST } = toNextJsHandler(auth);
