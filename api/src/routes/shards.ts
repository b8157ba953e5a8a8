// `GET /v1/shards`: the SRE's read of the cluster: every gateway shard live in the registry (fans,
// capacity, draining, fans per event, when it last reported, the upgrades it refused `overloaded`
// by its admission budget, its fan-out latency p99 over its last 10 s, as its heartbeat carries
// them; the highest of those p99s in the totals) and the joins this API process refused
// for load (its own `fanfare_api_joins_total` by outcome). Read-only; sre and producer, not
// event-scoped.
import { createRoute, z } from '@hono/zod-openapi';
import {
  API_LOAD_REFUSALS,
  type ApiLoadRefusal,
  type RegistryState,
  type ShardState,
  type ShardsAnswer as ShardsAnswerBody,
} from '@fanfare/protocol';
import type { AppDeps } from '../app-deps.js';
import { BEARER, STAFF_PROBLEMS, newRouter } from '../router.js';
import { requireStaff, type StaffVariables } from '../staff-auth.js';

/** The answer's schema, held to the protocol's `ShardsAnswer` type (defined there once). */
const ShardsAnswer = z
  .object({
    registry: z.object({
      state: z.enum(['ready', 'absent', 'failed']),
      reason: z.string(),
    }),
    shards: z.array(
      z.object({
        id: z.string(),
        url: z.string(),
        capacity: z.number().int(),
        fans: z.number().int(),
        events: z.record(z.string(), z.number().int()),
        draining: z.boolean(),
        at: z.number().int().openapi({ description: 'ms since the Unix epoch, the shard’s clock' }),
        refusedOverloaded: z.number().int().optional().openapi({
          description: 'upgrades this shard refused `overloaded` since it started',
        }),
        fanout: z
          .object({
            windowMs: z.number().int(),
            delivered: z.number().int(),
            p99Ms: z.number().nullable().openapi({ description: 'null when nothing went out' }),
          })
          .optional()
          .openapi({
            description:
              'fan-out delivery latency over the shard’s last 10 s (log accept to socket hand-off)',
          }),
      }),
    ),
    totals: z.object({
      fans: z.number().int(),
      capacity: z.number().int().openapi({ description: 'of the shards not draining' }),
      draining: z.number().int(),
      refusedOverloaded: z.number().int(),
      fanoutP99Ms: z.number().nullable().openapi({
        description: 'highest fan-out p99 of the shards’ last windows, ms; null when none',
      }),
    }),
    refusals: z.object({
      source: z.literal('api_process'),
      overloaded: z.number().int(),
      rate_limited: z.number().int(),
    }),
  })
  .openapi('Shards') satisfies z.ZodType<ShardsAnswerBody>;

function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function shardRoutes(deps: AppDeps) {
  const router = newRouter<{ Variables: StaffVariables }>();

  async function joinRefusals(): Promise<Record<ApiLoadRefusal, number>> {
    const counts = { overloaded: 0, rate_limited: 0 };
    const values = deps.metrics ? (await deps.metrics.joins.get()).values : [];
    for (const v of values) {
      const outcome = API_LOAD_REFUSALS.find((r) => r === v.labels.outcome);
      if (outcome) counts[outcome] += v.value;
    }
    return counts;
  }

  router.openapi(
    createRoute({
      method: 'get',
      path: '/v1/shards',
      summary: 'The gateway shards live now and the joins this API refused for load',
      security: BEARER,
      middleware: [requireStaff(deps.staff, ['sre', 'producer'])] as const,
      responses: {
        200: {
          description: 'The shards and refusals',
          content: { 'application/json': { schema: ShardsAnswer } },
        },
        401: STAFF_PROBLEMS[401],
        403: STAFF_PROBLEMS[403],
      },
    }),
    async (c) => {
      let shards: ShardState[] = [];
      let registry: { state: RegistryState; reason: string };
      if (!deps.registry) {
        registry = { state: 'absent', reason: 'this API has no shard registry (REDIS_URL unset)' };
      } else {
        try {
          // `admitted` is the pickers' bookkeeping (gateway-picker.ts), not the SRE's.
          shards = (await deps.registry.live()).map(({ admitted: _admitted, ...s }) => s);
          registry = { state: 'ready', reason: 'the registry answers' };
        } catch (err) {
          registry = { state: 'failed', reason: reasonOf(err) };
        }
      }
      const totals: ShardsAnswerBody['totals'] = {
        fans: 0,
        capacity: 0,
        draining: 0,
        refusedOverloaded: 0,
        fanoutP99Ms: null,
      };
      for (const s of shards) {
        totals.fans += s.fans;
        totals.refusedOverloaded += s.refusedOverloaded ?? 0;
        const p99 = s.fanout?.p99Ms;
        if (p99 != null) totals.fanoutP99Ms = Math.max(totals.fanoutP99Ms ?? 0, p99);
        if (s.draining) totals.draining += 1;
        else totals.capacity += s.capacity;
      }
      c.header('Cache-Control', 'no-store');
      const body: ShardsAnswerBody = {
        registry,
        shards,
        totals,
        refusals: { source: 'api_process', ...(await joinRefusals()) },
      };
      return c.json(body, 200);
    },
  );
  return router;
}
