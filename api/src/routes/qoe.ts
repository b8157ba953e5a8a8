// `GET /v1/events/{id}/qoe`: the event's viewer QoE over the last minutes, from the shards'
// windows stored by the roll-up (qoe-rollup.ts): totals, by tier, by country, and one point per
// window for the console's charts, with the seed's targets. Read-only; sre and producer.

import { createRoute, z } from '@hono/zod-openapi';
import { QOE_WINDOW_MS, emptyCounts, mergeCounts } from '@fanfare/fanout';
import { QOE_TARGETS, type QoeAnswer as QoeAnswerBody, type QoeCounts } from '@fanfare/protocol';
import type { AppDeps } from '../app-deps.js';
import { ApiError } from '../problem.js';
import { summarizeQoe } from '../qoe-summary.js';
import { BEARER, EventIdParams, STAFF_PROBLEMS, newRouter } from '../router.js';
import { requireStaff, type StaffVariables } from '../staff-auth.js';

/** The range answered when the request names none, minutes. */
export const QOE_DEFAULT_MINUTES = 10;
/** The longest range answered, minutes (a day: an event and its pre-show). */
export const QOE_MAX_MINUTES = 1_440;

const ratio = z.number().nullable();
const Summary = z.object({
  attempts: z.number().int(),
  starts: z.number().int(),
  vstP50Ms: z.number().nullable(),
  vstP95Ms: z.number().nullable(),
  rebufferingRatio: ratio,
  ebvsRate: ratio,
  failureRate: ratio,
  watchSeconds: z.number(),
  rebufferSeconds: z.number(),
  rebuffers: z.number().int(),
  exitsBeforeStart: z.number().int(),
  failures: z.number().int(),
  fallbacks: z.number().int(),
});

const QoeAnswer = z
  .object({
    eventId: z.string(),
    since: z.number().int().openapi({ description: 'ms since the Unix epoch' }),
    windowMs: z.number().int(),
    targets: z.object({
      vstP50Ms: z.number(),
      rebufferingRatio: z.number(),
      ebvsRate: z.number(),
    }),
    total: Summary,
    byTier: z.array(Summary.extend({ tier: z.string() })),
    byCountry: z.array(Summary.extend({ country: z.string() })),
    series: z.array(Summary.extend({ t: z.number().int() })),
  })
  .openapi('Qoe') satisfies z.ZodType<QoeAnswerBody>;

const QoeQuery = z.object({
  minutes: z.coerce
    .number()
    .int()
    .min(1)
    .max(QOE_MAX_MINUTES)
    .optional()
    .openapi({ param: { name: 'minutes', in: 'query' }, example: QOE_DEFAULT_MINUTES }),
});

function sumBy<K>(rows: { key: K; counts: QoeCounts }[]): Map<K, QoeCounts> {
  const out = new Map<K, QoeCounts>();
  for (const { key, counts } of rows) {
    let into = out.get(key);
    if (!into) out.set(key, (into = emptyCounts()));
    mergeCounts(into, counts);
  }
  return out;
}

export function qoeRoutes(deps: AppDeps) {
  const router = newRouter<{ Variables: StaffVariables }>();
  const now = () => deps.clock?.now() ?? Date.now();

  router.openapi(
    createRoute({
      method: 'get',
      path: '/v1/events/{id}/qoe',
      summary: 'Viewer QoE of an event: video start, rebuffering, exits before start, failures',
      security: BEARER,
      middleware: [requireStaff(deps.staff, ['sre', 'producer'])] as const,
      request: { params: EventIdParams, query: QoeQuery },
      responses: {
        200: {
          description: 'QoE over the range, in total, by tier, by country and per window',
          content: { 'application/json': { schema: QoeAnswer } },
        },
        ...STAFF_PROBLEMS,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const minutes = c.req.valid('query').minutes ?? QOE_DEFAULT_MINUTES;
      if (!(await deps.db.events.get(id))) {
        throw new ApiError('event_not_found', 'no event with this id');
      }
      const since = now() - minutes * 60_000;
      const [groups, windows] = await Promise.all([
        deps.db.qoe.totals(id, since),
        deps.db.qoe.series(id, since),
      ]);
      const total = emptyCounts();
      for (const g of groups) mergeCounts(total, g.counts);
      const tiers = sumBy(groups.map((g) => ({ key: g.tier, counts: g.counts })));
      const countries = sumBy(groups.map((g) => ({ key: g.country, counts: g.counts })));
      c.header('Cache-Control', 'no-store');
      const body: QoeAnswerBody = {
        eventId: id,
        since,
        windowMs: QOE_WINDOW_MS,
        targets: { ...QOE_TARGETS },
        total: summarizeQoe(total),
        byTier: [...tiers].map(([tier, counts]) => ({ tier, ...summarizeQoe(counts) })),
        byCountry: [...countries]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([country, counts]) => ({ country, ...summarizeQoe(counts) })),
        series: windows.map((w) => ({ t: w.windowStart, ...summarizeQoe(w.counts) })),
      };
      return c.json(body, 200);
    },
  );
  return router;
}
