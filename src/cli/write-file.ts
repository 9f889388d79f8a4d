import { closeSync, fstatSync, fsyncSync, mkdirSync, openSync, realpathSync, renameSync, rmSync, statSync, writeSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../model/errors.ts';

const WHY: Record<string, string> = {
  ENOTDIR: 'a part of its path is a file, not a folder',
  EEXIST: 'a part of its path is a file, not a folder',
  EISDIR: 'it is a folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  ENOENT: 'no such file or folder, and it cannot be created there',
  EPIPE: 'nothing reads from it any more',
  ENXIO: 'nothing reads from it',
};

/** `CODE: why` of a failed fs call, e.g. `EACCES: permission denied`. */
export function explain(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code !== undefined ? `${code}${WHY[code] ? `: ${WHY[code]}` : ''}` : e instanceof Error ? e.message : String(e);
}

/** `path: cannot write this file (CODE: why); choose another path`, from a failed fs call (its `cause`). */
export function cannotWrite(path: string, e: unknown): UsageError {
  return new UsageError(`${path}: cannot write this file (${explain(e)}); choose another path`, { cause: e });
}

/**
 * Temporary files being written right now, so that a signal handler can remove them: a Ctrl-C
 * in the middle of a large report write must not leave a `.report.html.<pid>.*.tmp` behind.
 */
const openTemps = new Set<string>();

/** Removes the temporary files of writes still under way (on SIGINT/SIGTERM, before exiting). */
export function removeTempFiles(): void {
  for (const tmp of openTemps) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // Best effort: the process is ending.
    }
  }
  openTemps.clear();
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/**
 * `mkdir -p` that fails fast. Node 20's recursive mkdir loops forever when the kernel answers
 * ENOENT for a folder whose parent exists (`/proc/x/y.json`): here each level is created once.
 */
export function makeFolders(dir: string): void {
  const missing: string[] = [];
  let d = resolve(dir);
  for (;;) {
    const st = statOrUndefined(d);
    if (st !== undefined) {
      if (!st.isDirectory()) throw Object.assign(new Error(`${d} is not a folder`), { code: 'ENOTDIR' });
      break;
    }
    missing.push(d);
    const up = dirname(d);
    if (up === d) break;
    d = up;
  }
  for (const m of missing.reverse()) {
    try {
      mkdirSync(m);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || !statOrUndefined(m)?.isDirectory()) throw e;
    }
  }
}

/**
 * Where a write to `path` really goes: the file a symbolic link points at (replacing the link
 * itself by a file would be wrong), and whether it is a device, pipe or socket (`/dev/stdout`,
 * `/dev/full`, a FIFO), which is written in place: renaming a file over `/dev/null` replaces the
 * device node instead of writing to it.
 */
function target(path: string): { path: string; special: boolean; folder: boolean; fd?: number } {
  // This process's own descriptors by name: written through the descriptor, as a socket (what
  // a parent process often gives as stdout) cannot be opened again by name (ENXIO).
  const own = new RegExp(`^(?:/dev/(?:fd/(\\d+)|(stdout|stderr))|/proc/(?:self|${process.pid})/fd/(\\d+))$`).exec(resolve(path));
  if (own !== null) return { path, special: true, folder: false, fd: own[2] === 'stdout' ? 1 : own[2] === 'stderr' ? 2 : Number(own[1] ?? own[3]) };
  const st = statOrUndefined(path);
  if (st === undefined) return { path, special: false, folder: false };
  if (st.isDirectory()) return { path, special: false, folder: true };
  // A file descriptor by name (`/dev/stdout > out.txt`): replacing the file would cut off what
  // the process already wrote through that descriptor.
  if (!st.isFile() || /^\/dev\/(std(in|out|err)|fd\/)|^\/proc\/[^/]+\/fd\//.test(resolve(path))) return { path, special: true, folder: false };
  try {
    return { path: realpathSync(path), special: false, folder: false };
  } catch {
    return { path, special: false, folder: false };
  }
}

function tempName(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
}

function writeAll(fd: number, content: string): void {
  const buf = Buffer.from(content, 'utf8');
  for (let off = 0; off < buf.length;) {
    try {
      off += writeSync(fd, buf, off);
    } catch (e) {
      // A non-blocking pipe (stdout) that is full for a moment: try again.
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
    }
  }
}

/**
 * Checks before a run that `path` can be written when the run ends: its folder exists or can be
 * created, a file can be created in it (a probe file, removed at once) and `path` is not a
 * folder. A device or pipe is opened for writing without truncating it. Throws the UsageError
 * the write itself would, so a bad path costs no checking time.
 */
export function probeWritable(path: string): void {
  const t = target(path);
  try {
    if (t.folder) throw Object.assign(new Error(`${path} is a folder`), { code: 'EISDIR' });
    if (t.fd !== undefined) {
      fstatSync(t.fd);
      return;
    }
    if (t.special) {
      closeSync(openSync(t.path, 'a'));
      return;
    }
    makeFolders(dirname(t.path));
    const probe = tempName(t.path);
    openTemps.add(probe);
    try {
      closeSync(openSync(probe, 'wx'));
    } finally {
      rmSync(probe, { force: true });
      openTemps.delete(probe);
    }
  } catch (e) {
    throw cannotWrite(path, e);
  }
}

/**
 * Writes a file atomically: the content goes to a temporary file in the same folder, is flushed,
 * and is then renamed over the target, so a reader (or a CI artifact upload) never sees a
 * half-written report or trace, even when smpcheck is killed midway. Devices and pipes are
 * written in place (see `target`).
 */
export function writeFileAtomic(path: string, content: string): void {
  const t = target(path);
  if (t.fd !== undefined) {
    try {
      writeAll(t.fd, content);
    } catch (e) {
      throw cannotWrite(path, e);
    }
    return;
  }
  if (t.special) {
    try {
      const fd = openSync(t.path, 'a');
      try {
        writeAll(fd, content);
      } finally {
        closeSync(fd);
      }
    } catch (e) {
      throw cannotWrite(path, e);
    }
    return;
  }
  const tmp = tempName(t.path);
  try {
    if (t.folder) throw Object.assign(new Error(`${path} is a folder`), { code: 'EISDIR' });
    makeFolders(dirname(t.path));
    openTemps.add(tmp);
    const fd = openSync(tmp, 'w');
    try {
      writeAll(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, t.path);
    openTemps.delete(tmp);
  } catch (e) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // The folder itself is unusable; there is no temporary file to remove.
    }
    openTemps.delete(tmp);
    throw cannotWrite(path, e);
  }
}
