// CSI and OSC escape sequences (colours, cursor movement, hyperlinks).
const ANSI =
  // eslint-disable-next-line no-control-regex
  /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;
// GitLab's collapsible sections: "section_start:1700000000:step_script[collapsed=true]\r".
const GITLAB_SECTION = /section_(?:start|end):\d+:[A-Za-z0-9_.-]+(?:\[[^\]]*\])?\r?/g;
// GitHub Actions prefixes every line with the time it was written.
const GITHUB_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z ?/;
// Runner bookkeeping that is never a problem of the code.
const RUNNER_LINE =
  /^(?:##\[(?:group|endgroup|debug|command|section)\]|::(?:group|endgroup|debug|add-mask)::|##\[error\]Process completed with exit code \d+\.?$|Cleaning up orphan processes|Post job cleanup\.)/;

/** The first characters a RUNNER_LINE can start with. */
const RUNNER_FIRST_CHARS = '#:CP';

/**
 * The log as the developer saw it, without what the CI system wrapped around the tools' output:
 * ANSI codes, GitLab section markers, GitHub timestamps and `##[group]` lines, and the runner's
 * final "Process completed with exit code 1". Carriage returns keep the last text of a line
 * (progress bars redraw it). Line numbers of the result are what problems and excerpts use.
 */
export function cleanLog(raw: string): string[] {
  const lines: string[] = [];
  const text = raw.includes('section_') ? raw.replace(GITLAB_SECTION, '') : raw;
  for (const rawLine of text.split('\n')) {
    // The checks before each expression only skip work that would change nothing (most lines
    // of a big log have no escape, no carriage return, no timestamp and no runner marker).
    let line = rawLine.includes('\u001b') ? rawLine.replace(ANSI, '') : rawLine;
    if (line.includes('\r')) {
      if (line.endsWith('\r')) line = line.slice(0, -1);
      const lastReturn = line.lastIndexOf('\r');
      if (lastReturn >= 0) line = line.slice(lastReturn + 1);
    }
    const first = line.charCodeAt(0);
    if (first >= 48 && first <= 57) line = line.replace(GITHUB_TIMESTAMP, '');
    if (RUNNER_FIRST_CHARS.includes(line.charAt(0)) && RUNNER_LINE.test(line)) continue;
    if (line.startsWith('##[error]')) line = line.slice('##[error]'.length);
    lines.push(line);
  }
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}
