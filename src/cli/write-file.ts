import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../model/errors.ts';

const WHY: Record<string, string> = {
  ENOTDIR: 'a part of its path is a file, not a folder',
  EEXIST: 'a part of its path is a file, not a folder',
  EISDIR: 'it is a folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
};

/**
 * Writes a file atomically: the content goes to a temporary file in the same folder, is flushed,
 * and is then renamed over the target, so a reader (or a CI artifact upload) never sees a
 * half-written report or trace, even when smpcheck is killed midway.
 */
export function writeFileAtomic(path: string, content: string): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  try {
    mkdirSync(dir, { recursive: true });
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // The folder itself is unusable; there is no temporary file to remove.
    }
    const code = (e as NodeJS.ErrnoException).code;
    const why = code !== undefined ? `${code}${WHY[code] ? `: ${WHY[code]}` : ''}` : e instanceof Error ? e.message : String(e);
    throw new UsageError(`${path}: cannot write this file (${why}); choose another path`, { cause: e });
  }
}
