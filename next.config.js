/** @type {import('next').NextConfig} */
const nextConfig = {
  // The e2e suite builds into its own folder so it never clobbers `npm start`'s build.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  // PGlite loads its WebAssembly and data files from its package directory;
  // the Prisma adapters and pg must stay real Node modules as well.
  // @simplewebauthn/server (with @peculiar/x509 and tsyringe under it) and zod are required once, from
  // node_modules: bundled, each route that uses them got its own copy of the same chunk, and a server
  // that had served the login and Setup routes held 7 copies of the first (352 KB of source each, every
  // one evaluated) and 6 of zod's, ~12 MB of its idle heap.
  serverExternalPackages: [
    "@node-rs/argon2",
    "@electric-sql/pglite",
    "pglite-prisma-adapter",
    "@prisma/adapter-pg",
    "pg",
    "nodemailer",
    "@simplewebauthn/server",
    "zod",
  ],
  experimental: {
    // forbidden() and app/forbidden.tsx: a real 403 page for standard users in Setup.
    authInterrupts: true,
  },
  poweredByHeader: false,
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Frame-Options", value: "DENY" },
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "same-origin" },
        ],
      },
      // Our JSON routes skip proxy.ts (its matcher): a fixed policy that lets an answer load, run and frame nothing.
      {
        source: "/api/:path((?!auth/).*)",
        headers: [
          { key: "Content-Security-Policy", value: "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'" },
          {
            key: "Permissions-Policy",
            value: "camera=(), microphone=(), geolocation=(), payment=(), usb=(), publickey-credentials-create=(self), publickey-credentials-get=(self)",
          },
        ],
      },
      // The dev mailbox frames a message's HTML part (proxy.ts gives it frame-ancestors 'self'); the later rule wins.
      { source: "/dev/mailbox/html", headers: [{ key: "X-Frame-Options", value: "SAMEORIGIN" }] },
    ];
  },
};

export default nextConfig;
