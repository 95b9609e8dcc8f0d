CREATE TYPE "public"."turn_source" AS ENUM('typed', 'browser_speech', 'speech_engine');--> statement-breakpoint
DROP INDEX "turns_tutor_session_created_idx";--> statement-breakpoint
ALTER TABLE "turns" ADD COLUMN "source" "turn_source";--> statement-breakpoint
ALTER TABLE "turns" ADD COLUMN "client_turn_id" text;--> statement-breakpoint
ALTER TABLE "turns" ADD COLUMN "reply_to_turn_id" uuid;--> statement-breakpoint
ALTER TABLE "turns" ADD COLUMN "incomplete" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "turns" ADD CONSTRAINT "turns_reply_to_turn_id_turns_id_fk" FOREIGN KEY ("reply_to_turn_id") REFERENCES "public"."turns"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "turns_reply_to_idx" ON "turns" USING btree ("reply_to_turn_id");--> statement-breakpoint
CREATE INDEX "turns_tutor_session_created_idx" ON "turns" USING btree ("tutor_session_id","created_at","sequence");--> statement-breakpoint
ALTER TABLE "turns" ADD CONSTRAINT "turns_tutor_session_client_turn_unique" UNIQUE("tutor_session_id","client_turn_id");