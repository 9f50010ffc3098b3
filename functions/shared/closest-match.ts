/**
 * Finds the candidate a misspelled name most likely meant, for "did you mean …?" hints.
 * Case is ignored. A candidate matches when it is at most one edit away per three characters
 * of the longer name, and one edit is always allowed. An edit inserts, deletes or replaces a
 * character, or swaps two adjacent ones. A name of four or more characters also matches the
 * one candidate it is a prefix of, as `timeout` is of `timeoutSeconds`.
 *
 * @returns the closest candidate, the first of equally close ones, or undefined when none is close.
 */
export function closestMatch(name: string, candidates: readonly string[]): string | undefined {
  const lowerName = name.toLowerCase();
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const lowerCandidate = candidate.toLowerCase();
    const distance = editDistance(lowerName, lowerCandidate);
    const allowed = Math.max(1, Math.floor(Math.max(lowerName.length, lowerCandidate.length) / 3));
    if (distance <= allowed && (best === undefined || distance < best.distance)) {
      best = { candidate, distance };
    }
  }
  if (best !== undefined) return best.candidate;

  if (lowerName.length < 4) return undefined;
  const extensions = candidates.filter((candidate) =>
    candidate.toLowerCase().startsWith(lowerName),
  );
  return extensions.length === 1 ? extensions[0] : undefined;
}

/** Optimal string alignment distance: Levenshtein plus the swap of two adjacent characters. */
function editDistance(a: string, b: string): number {
  // rows[i][j] is the distance between the first i characters of a and the first j of b.
  const rows: number[][] = Array.from({ length: a.length + 1 }, () =>
    new Array<number>(b.length + 1).fill(0),
  );
  for (let i = 0; i <= a.length; i++) rows[i]![0] = i;
  for (let j = 0; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let distance = Math.min(
        rows[i - 1]![j]! + 1,
        rows[i]![j - 1]! + 1,
        rows[i - 1]![j - 1]! + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        distance = Math.min(distance, rows[i - 2]![j - 2]! + 1);
      }
      rows[i]![j] = distance;
    }
  }
  return rows[a.length]![b.length]!;
}
