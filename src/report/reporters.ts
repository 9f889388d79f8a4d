import { blobReport } from './blob.ts';
import type { ReportContext } from './context.ts';
import { githubAnnotations } from './github.ts';
import { htmlReport } from './html.ts';
import { jsonReport } from './json.ts';
import { junitReport } from './junit.ts';
import { sarifReport } from './sarif.ts';
import { renderText } from './text.ts';

export interface Reporter {
  /** A whole document (JSON, XML, HTML) needs stdout to itself; text and annotations are lines. */
  readonly document: boolean;
  readonly render: (ctx: ReportContext) => string;
}

/** Reporters by the name `--reporter` takes. */
export const reporters = {
  text: { document: false, render: (ctx) => `${renderText(ctx.results, ctx.elapsedMs, ctx)}\n` },
  json: { document: true, render: (ctx) => `${JSON.stringify(jsonReport(ctx.results, ctx.elapsedMs, ctx), null, 2)}\n` },
  junit: { document: true, render: junitReport },
  sarif: { document: true, render: (ctx) => `${JSON.stringify(sarifReport(ctx), null, 2)}\n` },
  github: { document: false, render: githubAnnotations },
  html: { document: true, render: htmlReport },
  /** The shard report for `smpcheck merge` (blob.ts). */
  blob: { document: true, render: blobReport },
} satisfies Record<string, Reporter>;

export type ReporterName = keyof typeof reporters;

export const reporterNames = Object.keys(reporters) as ReporterName[];
