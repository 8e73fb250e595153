// The "what to do now" part of messages that need a person.
import type { ProviderContext } from '../types.js';

/** `run kubecred login --context X in a terminal` (the context is unknown when kubectl runs us). */
export function loginHint(ctx: Pick<ProviderContext, 'contextName'>): string {
  return `run kubecred login --context ${ctx.contextName ?? '<context>'} in a terminal`;
}
