// Bench scenarios beyond the cache hit (they need test fixtures). Each prints its own row.
export const extraScenarios: Array<() => Promise<void>> = [];
