#!/usr/bin/env node
// The `migplan` command of the npm package: the native CLI itself (src/main.rs, src/cli/),
// compiled to wasm32-wasip1 (bin/migplan.wasm, built by scripts/build-wasm) and run by
// node:wasi. Same commands, flags, output and exit statuses; the commands that connect to a
// database say they need the native binary (src/cli/wasi.rs).
//
// `run()` is exported so tests can run several commands in one process; `node bin/migplan.js`
// (and `npx migplan`) runs the command line it was given.

import { spawnSync } from "node:child_process";
import { readFileSync, realpathSync, writeSync } from "node:fs";
import { constants } from "node:os";
import { fileURLToPath } from "node:url";

// node:wasi prints an ExperimentalWarning on stderr when it is loaded; the native CLI does
// not, so it is left out (other warnings are printed as Node prints them).
process.removeAllListeners("warning");
process.on("warning", (w) => {
  if (w.name === "ExperimentalWarning" && /WASI/.test(w.message)) return;
  process.stderr.write(`(node:${process.pid}) ${w.name}: ${w.message}\n`);
});
// Run as a command (`node bin/migplan.js`, npx's link to it), or imported for `run()`.
let invoked = "";
try {
  invoked = process.argv[1] ? realpathSync(process.argv[1]) : "";
} catch {}
const isMain = invoked === realpathSync(fileURLToPath(import.meta.url));

let WASI;
try {
  ({ WASI } = await import("node:wasi"));
} catch (e) {
  // Node before 20 loads node:wasi only with a flag: start again with it.
  if (!isMain || process.execArgv.includes("--experimental-wasi-unstable-preview1")) throw e;
  const r = spawnSync(process.execPath, ["--experimental-wasi-unstable-preview1", ...process.execArgv, ...process.argv.slice(1)], {
    stdio: "inherit",
  });
  process.exit(r.status ?? 1);
}

let compiled;
/** The compiled module, once per process. */
export async function module() {
  compiled ??= await WebAssembly.compile(readFileSync(new URL("./migplan.wasm", import.meta.url)));
  return compiled;
}

// What Rust's io::Error prints for the reasons git may not start (`cannot run git: ...`).
const OS_ERRORS = {
  ENOENT: "No such file or directory (os error 2)",
  EACCES: "Permission denied (os error 13)",
};

/** `git ARGS` for the module: one status byte (0 ok + stdout, 1 failed + stderr, 2 not run + why). */
function runGit(args, cwd) {
  const r = spawnSync("git", args, { cwd, maxBuffer: 1 << 30 });
  if (r.error) {
    return Buffer.concat([Buffer.from([2]), Buffer.from(OS_ERRORS[r.error.code] ?? r.error.message)]);
  }
  return r.status === 0
    ? Buffer.concat([Buffer.from([0]), r.stdout])
    : Buffer.concat([Buffer.from([1]), r.stderr]);
}

// WASI numbers its errors its own way: io::Error messages say "(os error 44)" where the
// native binary says "(os error 2)". The names, in WASI's order (errno 1 is E2BIG), give the
// host's numbers.
const WASI_ERRNO = ("2BIG ACCES ADDRINUSE ADDRNOTAVAIL AFNOSUPPORT AGAIN ALREADY BADF BADMSG BUSY " +
  "CANCELED CHILD CONNABORTED CONNREFUSED CONNRESET DEADLK DESTADDRREQ DOM DQUOT EXIST FAULT FBIG " +
  "HOSTUNREACH IDRM ILSEQ INPROGRESS INTR INVAL IO ISCONN ISDIR LOOP MFILE MLINK MSGSIZE MULTIHOP " +
  "NAMETOOLONG NETDOWN NETRESET NETUNREACH NFILE NOBUFS NODEV NOENT NOEXEC NOLCK NOLINK NOMEM NOMSG " +
  "NOPROTOOPT NOSPC NOSYS NOTCONN NOTDIR NOTEMPTY NOTRECOVERABLE NOTSOCK NOTSUP NOTTY NXIO OVERFLOW " +
  "OWNERDEAD PERM PIPE PROTO PROTONOSUPPORT PROTOTYPE RANGE ROFS SPIPE SRCH STALE TIMEDOUT TXTBSY XDEV").split(" ");
const hostErrno = (n) => constants.errno["E" + WASI_ERRNO[n - 1]] ?? n;
const nativeErrors = (text) => text.replace(/\(os error (\d+)\)/g, (_, n) => `(os error ${hostErrno(Number(n))})`);

function writeAll(fd, buf) {
  for (let off = 0; off < buf.length; ) {
    try {
      off += writeSync(fd, buf, off, buf.length - off);
    } catch (e) {
      // `migplan history | head`: the native binary ends quietly on a closed pipe (SIGPIPE).
      if (e.code === "EPIPE") process.exit(128 + constants.signals.SIGPIPE);
      if (e.code !== "EAGAIN") throw e;
    }
  }
}

/**
 * The module's stdout and stderr, a whole line at a time, with the error numbers made the
 * host's (a message is always within one line). Everything else goes to node:wasi's fd_write.
 */
function lineWriter(wasiImport, fds, memoryOf) {
  const pending = new Map(Object.keys(fds).map((fd) => [Number(fd), Buffer.alloc(0)]));
  const emit = (fd, bytes) => writeAll(fds[fd], Buffer.from(nativeErrors(bytes.toString("latin1")), "latin1"));
  return {
    fd_write(fd, iovs, iovsLen, nwritten) {
      if (!pending.has(fd)) return wasiImport.fd_write(fd, iovs, iovsLen, nwritten);
      const memory = memoryOf();
      const view = new DataView(memory.buffer);
      const parts = [pending.get(fd)];
      let total = 0;
      for (let i = 0; i < iovsLen; i++) {
        const ptr = view.getUint32(iovs + 8 * i, true);
        const len = view.getUint32(iovs + 8 * i + 4, true);
        parts.push(Buffer.from(memory.buffer.slice(ptr, ptr + len)));
        total += len;
      }
      let buf = Buffer.concat(parts);
      const end = buf.lastIndexOf(10) + 1;
      if (end > 0 || buf.length > 1 << 16) {
        const cut = end > 0 ? end : buf.length;
        emit(fd, buf.subarray(0, cut));
        buf = buf.subarray(cut);
      }
      pending.set(fd, buf);
      view.setUint32(nwritten, total, true);
      return 0;
    },
    flush() {
      for (const [fd, buf] of pending) if (buf.length) emit(fd, buf);
    },
  };
}

/**
 * Runs the CLI with `args` (without the program name) and returns its exit status.
 * Options: `cwd` (default: the process's), `env` (default: process.env), `stdout` and
 * `stderr` (file descriptors, default 1 and 2).
 */
export async function run(args, { cwd = process.cwd(), env = process.env, stdout = 1, stderr = 2 } = {}) {
  const wasi = new WASI({
    version: "preview1",
    args: ["migplan", ...args],
    env: { ...env, MIGPLAN_WASI_CWD: cwd },
    preopens: { "/": "/" },
    stdout,
    stderr,
    returnOnExit: true,
  });
  let memory;
  let last = Buffer.alloc(0);
  const host = {
    git_run(ptr, len) {
      const bytes = Buffer.from(memory.buffer, ptr >>> 0, len >>> 0);
      const argv = len === 0 ? [] : bytes.toString("utf8").split("\0");
      last = runGit(argv, cwd);
      return last.length;
    },
    git_result(ptr) {
      last.copy(new Uint8Array(memory.buffer), ptr >>> 0);
    },
  };
  const out = lineWriter(wasi.wasiImport, { 1: stdout, 2: stderr }, () => memory);
  const instance = await WebAssembly.instantiate(await module(), {
    wasi_snapshot_preview1: { ...wasi.wasiImport, fd_write: out.fd_write },
    migplan_host: host,
  });
  memory = instance.exports.memory;
  try {
    return wasi.start(instance);
  } catch (e) {
    // A Rust panic: the module printed the message and aborted (wasm has no unwinding);
    // the native binary exits with 101 then.
    if (e instanceof WebAssembly.RuntimeError) return 101;
    throw e;
  } finally {
    out.flush();
  }
}

if (isMain) {
  process.exitCode = await run(process.argv.slice(2));
}
