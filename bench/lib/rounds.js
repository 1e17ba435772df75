'use strict';
/* Ratios to a baseline that hold up on a shared machine: its load drifts within seconds (another
 * benchmark starts, a build runs), so one baseline run followed by one system run can be off by
 * a factor of two. Here each round of the system's runs sits between two baseline runs and is
 * divided by their mean, and the round with the median ratio is reported. */
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];

/**
 * `rounds` rounds of `measure()`, which resolves with { <name>: { rate, …details } }, with
 * `baseline()` (resolving with a rate) run before the first round and after every round.
 * Returns { baselines, figures: { <name>: { ...median round's details, base, ratio, ratios } } }:
 * per name, the round with the median ratio (base: its baseline, the mean of the two around it)
 * and every round's ratio (to show the spread).
 * Use an odd count of rounds: with an even one the lower of the two middle rounds is taken.
 */
async function sandwichedRatios(rounds, baseline, measure) {
  const baselines = [await baseline()];
  const measured = [];
  for (let r = 0; r < rounds; r += 1) {
    const m = await measure();
    baselines.push(await baseline());
    const base = (baselines[r] + baselines[r + 1]) / 2;
    measured.push(Object.fromEntries(Object.entries(m).map(([name, fig]) => [name, { ...fig, base, ratio: fig.rate / base }])));
  }
  const figures = {};
  for (const name of Object.keys(measured[0])) {
    const runs = measured.map((m) => m[name]);
    const ratios = runs.map((f) => f.ratio);
    figures[name] = { ...runs.find((f) => f.ratio === median(ratios)), ratios };
  }
  return { baselines, figures };
}

module.exports = { sandwichedRatios, median };
