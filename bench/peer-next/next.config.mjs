// Next.js defaults; the workspace root is this folder (the bench builds a copy of it outside the repository).
export default { turbopack: { root: import.meta.dirname } };
