CREATE TYPE "public"."credential_role" AS ENUM('producer', 'moderator', 'sre');--> statement-breakpoint
CREATE TYPE "public"."event_access" AS ENUM('public', 'ticketed');--> statement-breakpoint
CREATE TYPE "public"."event_state" AS ENUM('draft', 'scheduled', 'live', 'ended', 'archived');--> statement-breakpoint
CREATE TYPE "public"."poll_state" AS ENUM('open', 'closed', 'cancelled');--> statement-breakpoint
CREATE TABLE "api_credentials" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"role" "credential_role" NOT NULL,
	"event_id" text,
	"key_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"event_id" text,
	"actor_id" text NOT NULL,
	"actor_role" text NOT NULL,
	"action" text NOT NULL,
	"target" text,
	"reason" text,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "chat_archive" (
	"event_id" text NOT NULL,
	"seq" bigint NOT NULL,
	"msg_id" text NOT NULL,
	"author_id" text NOT NULL,
	"author_name" text NOT NULL,
	"author_role" text NOT NULL,
	"text" text NOT NULL,
	"ts" timestamp with time zone NOT NULL,
	"deleted_at" timestamp with time zone,
	"deleted_by" text,
	CONSTRAINT "chat_archive_event_id_seq_pk" PRIMARY KEY("event_id","seq")
);
--> statement-breakpoint
CREATE TABLE "events" (
	"id" text PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"state" "event_state" DEFAULT 'draft' NOT NULL,
	"starts_at" timestamp with time zone,
	"ends_at" timestamp with time zone,
	"access" "event_access" DEFAULT 'public' NOT NULL,
	"country_allow_list" text[],
	"chat_cap_per_sec" integer,
	"slow_mode_s" integer,
	"entitled_only_chat" boolean DEFAULT false NOT NULL,
	"blocked_terms" text[] DEFAULT '{}' NOT NULL,
	"pinned_message" jsonb,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "events_id_format" CHECK (id ~ '^[a-z0-9][a-z0-9_-]{0,63}$'),
	CONSTRAINT "events_chat_cap_positive" CHECK ("events"."chat_cap_per_sec" IS NULL OR "events"."chat_cap_per_sec" > 0),
	CONSTRAINT "events_slow_mode_positive" CHECK ("events"."slow_mode_s" IS NULL OR "events"."slow_mode_s" > 0)
);
--> statement-breakpoint
CREATE TABLE "polls" (
	"id" text PRIMARY KEY NOT NULL,
	"event_id" text NOT NULL,
	"question" text NOT NULL,
	"options" jsonb NOT NULL,
	"state" "poll_state" DEFAULT 'open' NOT NULL,
	"duration_s" integer NOT NULL,
	"opens_at" timestamp with time zone NOT NULL,
	"closes_at" timestamp with time zone NOT NULL,
	"closed_at" timestamp with time zone,
	"allow_concurrent" boolean DEFAULT false NOT NULL,
	"result" jsonb,
	"total_votes" integer,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "polls_duration_positive" CHECK ("polls"."duration_s" > 0)
);
--> statement-breakpoint
ALTER TABLE "api_credentials" ADD CONSTRAINT "api_credentials_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "polls" ADD CONSTRAINT "polls_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "api_credentials_key_hash_idx" ON "api_credentials" USING btree ("key_hash");--> statement-breakpoint
CREATE INDEX "audit_log_event_id_idx" ON "audit_log" USING btree ("event_id","id");--> statement-breakpoint
CREATE INDEX "chat_archive_msg_idx" ON "chat_archive" USING btree ("event_id","msg_id");--> statement-breakpoint
CREATE INDEX "events_state_id_idx" ON "events" USING btree ("state","id");--> statement-breakpoint
CREATE INDEX "polls_event_state_idx" ON "polls" USING btree ("event_id","state");