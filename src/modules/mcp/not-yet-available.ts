/**
 * Capabilities whose data this Hookyard does not have yet. An MCP resource or tool that needs
 * one answers with this plain statement instead of failing, so an assistant can tell the user
 * what is missing rather than retrying.
 */
export type PendingCapability = 'analysis' | 'indexing';

const WHAT: Record<PendingCapability, string> = {
  analysis: 'CI-failure analysis (problems, errors by file, trace excerpts, failing tests)',
  indexing: 'the code index (code and symbol search)',
};

export interface NotYetAvailable {
  available: false;
  capability: PendingCapability;
  message: string;
}

export function notYetAvailable(capability: PendingCapability): NotYetAvailable {
  return {
    available: false,
    capability,
    message: `Not available yet: ${WHAT[capability]} is not part of this Hookyard version.`,
  };
}
