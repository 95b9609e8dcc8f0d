CREATE TABLE "content_pack_state" (
	"pack" text PRIMARY KEY NOT NULL,
	"hash" text NOT NULL,
	"loaded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "lesson_progress" ADD COLUMN "minutes_spent" numeric(8, 2) DEFAULT 0 NOT NULL;