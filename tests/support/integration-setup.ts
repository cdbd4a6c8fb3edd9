// Integration tests run in a test environment with a known secret and URL;
// each file opens its own database through tests/support/database.ts.
process.env.AUTH_SECRET ??= "integration-test-secret-0123456789abcdef0123456789";
process.env.APP_URL ??= "http://localhost:3000";
// next.config.js enables experimental.authInterrupts, which Next's build turns
// into this variable; server actions called in tests need it for forbidden().
process.env.__NEXT_EXPERIMENTAL_AUTH_INTERRUPTS ??= "true";
// The soft authenticator's test roots, trusted as an operator's ATTESTATION_ROOTS_FILE would trust
// in-house keys: under the default "Physical security keys only" its keys then prove their model.
process.env.ATTESTATION_ROOTS_FILE ??= "tests/fixtures/webauthn/attestation/soft-authenticator-roots.pem";
