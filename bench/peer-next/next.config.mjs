// Next.js defaults, but for the build: the workspace root is this folder (the bench builds a copy of it outside
// the repository), and no Turbopack cache is written for a build that is made once per version of these sources.
export default { turbopack: { root: import.meta.dirname }, experimental: { turbopackFileSystemCacheForBuild: false } };
