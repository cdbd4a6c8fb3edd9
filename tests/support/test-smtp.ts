import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";

// A real SMTP server inside the test process. It requires the credentials it
// was given (so SMTP_URL's user:pass is exercised), keeps every message it
// accepts, and can write each one to a spool directory as a .eml file, which
// is how e2e tests in another process read the mail the app sent.

export const TEST_SMTP_USER = "gatehouse";
export const TEST_SMTP_PASSWORD = "test-smtp-password";

export interface ReceivedMail {
  /** Envelope recipients, as the app's SMTP client gave them. */
  recipients: string[];
  parsed: ParsedMail;
}

export class TestSmtpServer {
  readonly received: ReceivedMail[] = [];
  private server: SMTPServer | undefined;
  private boundPort = 0;

  constructor(private readonly options: { spoolDir?: string } = {}) {}

  /** Listens on 127.0.0.1; port 0 picks a free one. Listening again on the same port brings a stopped server back. */
  async start(port = this.boundPort): Promise<this> {
    if (this.server) return this;
    const server = new SMTPServer({
      authOptional: false,
      allowInsecureAuth: true,
      disabledCommands: ["STARTTLS"],
      logger: false,
      onAuth: (auth, _session, callback) => {
        if (auth.username === TEST_SMTP_USER && auth.password === TEST_SMTP_PASSWORD) return callback(null, { user: auth.username });
        callback(new Error("Invalid username or password"));
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on("data", (chunk: Buffer) => chunks.push(chunk));
        stream.on("end", () => {
          const raw = Buffer.concat(chunks);
          const recipients = session.envelope.rcptTo.map((r) => r.address);
          this.keep(raw, recipients).then(() => callback(), callback);
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
    const address = server.server.address();
    this.boundPort = typeof address === "object" && address ? address.port : port;
    this.server = server;
    return this;
  }

  /** Stops listening (and drops open connections): the app then sees an SMTP outage. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  get port(): number {
    return this.boundPort;
  }

  /** The SMTP_URL an app should use to reach this server. */
  get url(): string {
    return `smtp://${TEST_SMTP_USER}:${TEST_SMTP_PASSWORD}@127.0.0.1:${this.boundPort}`;
  }

  /** Messages received for an address. */
  mailTo(address: string): ReceivedMail[] {
    return this.received.filter((m) => m.recipients.includes(address));
  }

  private async keep(raw: Buffer, recipients: string[]): Promise<void> {
    this.received.push({ recipients, parsed: await simpleParser(raw) });
    const dir = this.options.spoolDir;
    if (!dir) return;
    // Written under a temporary name, then renamed: a reader never sees half a message.
    const name = `${Date.now()}-${crypto.randomBytes(4).toString("hex")}`;
    const header = `X-Test-Envelope-To: ${recipients.join(", ")}\r\n`;
    fs.writeFileSync(path.join(dir, `${name}.tmp`), Buffer.concat([Buffer.from(header), raw]));
    fs.renameSync(path.join(dir, `${name}.tmp`), path.join(dir, `${name}.eml`));
  }
}

/** Every message in a spool directory, oldest first. */
export async function readSpool(dir: string): Promise<ReceivedMail[]> {
  if (!fs.existsSync(dir)) return [];
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".eml"))
    .sort();
  return Promise.all(
    files.map(async (file) => {
      const parsed = await simpleParser(fs.readFileSync(path.join(dir, file)));
      const envelope = parsed.headers.get("x-test-envelope-to");
      const recipients = typeof envelope === "string" ? envelope.split(",").map((s) => s.trim()) : [];
      return { recipients, parsed };
    }),
  );
}

/** Waits until a spooled message for `address` matches; polls, bounded by `timeoutMs`. */
/** Every spooled message to an address (optionally with a subject), oldest first. */
export async function spooledMailTo(dir: string, address: string, subject?: string | RegExp): Promise<ReceivedMail[]> {
  const subjectMatches = (actual: string | undefined) => !subject || (typeof subject === "string" ? actual === subject : subject.test(actual ?? ""));
  return (await readSpool(dir)).filter((m) => m.recipients.includes(address) && subjectMatches(m.parsed.subject));
}

export async function waitForSpooledMail(
  dir: string,
  address: string,
  options: { subject?: string | RegExp; timeoutMs?: number; after?: number } = {},
): Promise<ReceivedMail> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  for (;;) {
    const matching = await spooledMailTo(dir, address, options.subject);
    // `after`: how many matching messages were there before; wait for a newer one.
    const found = matching.length > (options.after ?? 0) ? matching.at(-1) : undefined;
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`No mail to ${address}${options.subject ? ` with subject "${options.subject}"` : ""} in ${dir}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
