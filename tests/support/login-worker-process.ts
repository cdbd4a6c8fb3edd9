import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import readline from "node:readline";
import type { LoginReply, LoginRequest } from "../integration/fixtures/login-worker";

const root = path.resolve(import.meta.dirname, "../..");
const script = path.join(root, "tests/integration/fixtures/login-worker.ts");

/** A separate Node process running the login service against `databaseUrl`, as a second app instance would. */
export class LoginWorkerProcess {
  private nextId = 1;
  private readonly waiting = new Map<number, (reply: LoginReply) => void>();
  private exited: Promise<number | null>;

  private constructor(
    private readonly child: ChildProcess,
    readonly pid: number,
    lines: readline.Interface,
  ) {
    lines.on("line", (line) => {
      const reply = JSON.parse(line) as LoginReply;
      this.waiting.get(reply.id)?.(reply);
      this.waiting.delete(reply.id);
    });
    this.exited = new Promise((resolve) => child.once("exit", resolve));
  }

  static async start(databaseUrl: string): Promise<LoginWorkerProcess> {
    const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", script], {
      cwd: root,
      env: { ...process.env, LOGIN_WORKER_DATABASE_URL: databaseUrl },
      stdio: ["pipe", "pipe", "inherit"],
    });
    const lines = readline.createInterface({ input: child.stdout! });
    const ready = await new Promise<{ pid: number }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("login worker did not start within 20 s")), 20_000);
      child.once("exit", (code) => reject(new Error(`login worker exited with ${code} before it was ready`)));
      lines.once("line", (line) => {
        clearTimeout(timer);
        resolve(JSON.parse(line) as { pid: number });
      });
    }).catch((error: unknown) => {
      child.kill();
      throw error;
    });
    return new LoginWorkerProcess(child, ready.pid, lines);
  }

  login(username: string, password: string, ip: string): Promise<LoginReply> {
    const request: LoginRequest = { id: this.nextId++, username, password, ip };
    return new Promise((resolve) => {
      this.waiting.set(request.id, resolve);
      this.child.stdin!.write(`${JSON.stringify(request)}\n`);
    });
  }

  /** Closes stdin so the worker closes its pool and exits; kills it if it does not. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    this.child.stdin!.end();
    const timer = setTimeout(() => this.child.kill(), 5_000);
    await this.exited;
    clearTimeout(timer);
  }
}
