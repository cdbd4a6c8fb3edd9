// The soak's SMTP server: a real one (smtp-server) that misbehaves on purpose.
// Per message it answers a transient 4xx (transientRate) or drops the
// connection mid-DATA (dropRate); `outage()` stops listening altogether for a
// while. Every message it accepts is recorded by its Message-ID, which
// Gatehouse derives from the outbox row (`<row id@host>`), so the soak can
// match deliveries to rows and count duplicates.
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

const MAX_FAILURES_PER_MESSAGE = 3;

export class FlakySmtp {
  /** Message-ID → deliveries of it ({ to, subject, text, at }). */
  delivered = new Map();
  stats = { accepted: 0, transient: 0, dropped: 0, refusedWhileDown: 0 };
  #server;
  #port;
  #random;
  #options;
  #down = false;
  /** Message-ID → how many times it was refused or dropped. */
  #failures = new Map();
  /** Resolvers waiting for a message to someone (see waitFor). */
  #waiters = [];

  constructor({ port, transientRate = 0.2, dropRate = 0.05, random = Math.random }) {
    this.#port = port;
    this.#random = random;
    this.#options = { transientRate, dropRate };
  }

  get port() {
    return this.#port;
  }

  get down() {
    return this.#down;
  }

  async start() {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS", "AUTH"],
      logger: false,
      onData: (stream, session, callback) => {
        const chunks = [];
        stream.on("data", (chunk) => chunks.push(chunk));
        stream.on("end", () => {
          const raw = Buffer.concat(chunks);
          // A message is refused at most MAX_FAILURES_PER_MESSAGE times: a transient fault is transient. Unbounded, one
          // unlucky message (seven failures in a row in CI) sits on a backoff of minutes beyond the drain limit.
          const id = /^message-id:\s*(\S+)/im.exec(raw.subarray(0, 8192).toString("latin1"))?.[1] ?? "";
          const failures = this.#failures.get(id) ?? 0;
          const roll = failures >= MAX_FAILURES_PER_MESSAGE ? 1 : this.#random();
          if (roll < this.#options.dropRate + this.#options.transientRate) this.#failures.set(id, failures + 1);
          if (roll < this.#options.dropRate) {
            this.stats.dropped++;
            // A connection that dies before the reply: the client cannot know whether we kept it (we did not).
            const connection = [...server.connections].find((c) => c.session === session);
            connection?._socket?.destroy();
            return;
          }
          if (roll < this.#options.dropRate + this.#options.transientRate) {
            this.stats.transient++;
            const error = new Error("Try again later (soak: simulated transient failure)");
            error.responseCode = 451;
            return callback(error);
          }
          this.#keep(
            raw,
            session.envelope.rcptTo.map((r) => r.address),
          ).then(() => callback(), callback);
        });
      },
    });
    server.on("error", () => undefined);
    await new Promise((resolve, reject) => {
      server.server.once("error", reject);
      server.listen(this.#port, "127.0.0.1", resolve);
    });
    this.#server = server;
    this.#down = false;
  }

  async stop() {
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    // Drop open sessions too: a real outage does not wait for them to finish.
    for (const connection of server.connections ?? []) connection._socket?.destroy?.();
    await new Promise((resolve) => server.close(resolve));
  }

  /** Stops listening for `ms` (connections are refused), then comes back on the same port. */
  async outage(ms) {
    this.#down = true;
    await this.stop();
    await new Promise((resolve) => setTimeout(resolve, ms));
    await this.start();
  }

  async #keep(raw, recipients) {
    const parsed = await simpleParser(raw);
    const id = parsed.messageId ?? `<no-id-${this.stats.accepted}>`;
    const entry = { to: recipients, subject: parsed.subject ?? "", text: parsed.text ?? "", at: Date.now() };
    const list = this.delivered.get(id) ?? [];
    list.push(entry);
    this.delivered.set(id, list);
    this.stats.accepted++;
    this.#waiters = this.#waiters.filter((waiter) => !waiter.test(entry) || (waiter.resolve(entry), false));
  }

  /**
   * The first message to `to` whose subject matches and that arrived after `since`
   * (a timestamp), waiting up to `timeoutMs` for it.
   */
  waitFor(to, subjectPattern, { since = 0, timeoutMs = 180_000 } = {}) {
    const test = (entry) => entry.at >= since && entry.to.includes(to) && subjectPattern.test(entry.subject);
    for (const list of this.delivered.values()) {
      const found = list.find(test);
      if (found) return Promise.resolve(found);
    }
    return new Promise((resolve, reject) => {
      const waiter = { test, resolve: (entry) => (clearTimeout(timer), resolve(entry)) };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(new Error(`no email "${subjectPattern}" to ${to} within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }
}
