// ESLint flat config: `npm run lint` (eslint .) and `npm run lint:fix`.
// Rules are chosen to catch bugs, not to police style: formatting is Prettier's job (`npm run format:check`).
import js from "@eslint/js";
import nextPlugin from "@next/eslint-plugin-next";
import reactHooks from "eslint-plugin-react-hooks";
import { defineConfig, globalIgnores } from "eslint/config";
import globals from "globals";
import tseslint from "typescript-eslint";

// The database client may only be imported by the data layer: lib/** (queries, mutations, services,
// lib/db itself), tests/, scripts/ and prisma/seed.ts. Pages, actions, routes, components (app/**) and
// email templates (emails/**) go through lib/ functions instead. Type-only imports (`import type { Db }`)
// are allowed everywhere: they carry no database access.
const dbClientMessage = "Only the data layer (lib/**) may import the database client: call a function from lib/<area>/queries.ts or mutations.ts instead.";
const dbClientImportPattern = "(^|/)db/client(\\.[cm]?[jt]sx?)?$";

export default defineConfig([
  globalIgnores(["**/node_modules/", ".next/", ".next-*/", "lib/db/generated/", "test-results/", "playwright-report/", ".data/", "next-env.d.ts"]),

  {
    linterOptions: { reportUnusedDisableDirectives: "error" },
  },

  js.configs.recommended,
  tseslint.configs.recommended,

  {
    files: ["**/*.{ts,tsx,mts,cts}"],
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
      // Forces `import type` for type-only imports, so type-only edges are visible (and skipped by `npm run check:cycles`).
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports", disallowTypeAnnotations: false }],
    },
  },

  // Type-aware rules, limited to the ones that catch real async bugs (a forgotten await in a server action,
  // a promise passed where a void callback is expected). The project service reuses tsconfig.json.
  {
    files: ["**/*.{ts,tsx,mts,cts}"],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { attributes: false } }],
      "@typescript-eslint/await-thenable": "error",
    },
  },

  // Plain JavaScript (scripts/*.mjs, config files) runs in Node.
  {
    files: ["**/*.{js,mjs,cjs}"],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ["**/*.cjs"],
    languageOptions: { sourceType: "commonjs" },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },

  // React and Next.js: the UI lives in app/.
  {
    files: ["app/**/*.{ts,tsx}"],
    plugins: { "react-hooks": reactHooks, "@next/next": nextPlugin },
    rules: {
      ...nextPlugin.configs["core-web-vitals"].rules,
      // App Router only: there is no pages/ directory for this rule to check links against.
      "@next/next/no-html-link-for-pages": "off",
      "react-hooks/rules-of-hooks": "error",
      "react-hooks/exhaustive-deps": "error",
    },
  },

  // The database client stays in the data layer (see dbClientMessage).
  {
    files: ["app/**/*.{ts,tsx}", "emails/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ regex: dbClientImportPattern, message: dbClientMessage, allowTypeImports: true }] }],
      "no-restricted-syntax": [
        "error",
        // Dynamic import(): esquery regexes cannot hold "/" or groups, hence the looser "db.client".
        { selector: "ImportExpression[source.value=/db.client/]", message: dbClientMessage },
      ],
    },
  },
]);
