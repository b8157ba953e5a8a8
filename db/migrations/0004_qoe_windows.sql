CREATE TABLE "qoe_windows" (
	"event_id" text NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"window_ms" integer NOT NULL,
	"shard_id" text NOT NULL,
	"tier" text NOT NULL,
	"country" text NOT NULL,
	"starts" integer NOT NULL,
	"vst_buckets" integer[] NOT NULL,
	"vst_sum_ms" bigint NOT NULL,
	"watch_ms" bigint NOT NULL,
	"rebuffers" integer NOT NULL,
	"rebuffer_ms" bigint NOT NULL,
	"exits_before_start" integer NOT NULL,
	"failures" integer NOT NULL,
	"fallbacks" integer NOT NULL,
	CONSTRAINT "qoe_windows_event_id_window_start_shard_id_tier_country_pk" PRIMARY KEY("event_id","window_start","shard_id","tier","country"),
	CONSTRAINT "qoe_windows_tier" CHECK ("qoe_windows"."tier" in ('ll-hls', 'webrtc')),
	CONSTRAINT "qoe_windows_country" CHECK ("qoe_windows"."country" ~ '^([A-Z]{2}|unknown)$')
);
--> statement-breakpoint
ALTER TABLE "qoe_windows" ADD CONSTRAINT "qoe_windows_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;