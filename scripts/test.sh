#!/bin/sh
# `npm test`: build once (the integration and e2e tiers start the built agent and API), then the
# type check beside the unit tier (two processes for two cores: the check is one tsc at a time,
# the unit tier one jest worker), then the other tiers, then one closing line for all of them.
# A failed type check stops the run before the slower tiers; a failed tier does not stop the next.
set -u
node scripts/test-summary.js reset || exit 1
npm run build || exit 1
npm run typecheck > test-output/typecheck.log 2>&1 &
typecheck=$!
npm run test:unit
if ! wait "$typecheck"; then
  cat test-output/typecheck.log
  echo "npm test: the type check failed (above); the integration and e2e tiers did not run"
  exit 1
fi
npm run test:integration:built
npm run test:e2e:built
node scripts/test-summary.js
